#!/usr/bin/env python3
"""Measures the calibration figures of the synthetic corpus generator.

Usage: python3 calibrate.py APACHE_DIR DEMO_ORIGINAL_DIR
(APACHE_DIR = /work/shared/datasets/apache_jira_issues; DEMO_ORIGINAL_DIR =
datasets/atlassian_demo/original). Prints the same figures for the real Apache
Jira sample (bots and CI reports removed) and for the generated demo corpus.
Standard library only.
"""
import gzip, json, re, sys, collections

def load(path):
    return [json.loads(l) for l in gzip.open(path, 'rt')]

def words(t):
    return re.findall(r"[A-Za-z']+", t or '')

def q(xs, ps=(0.1, 0.5, 0.9)):
    xs = sorted(xs)
    return [xs[int(p * (len(xs) - 1))] for p in ps] if xs else []

def sentence_lengths(texts):
    out = []
    for t in texts:
        for s in re.split(r'[.!?]+\s', t):
            n = len(words(s))
            if n > 0:
                out.append(n)
    return out

MARKUP = [('{code}', r'\{code'), ('{noformat}', r'\{noformat'), ('[~mention]', r'\[~'),
          ('@mention', r'(?<![\w.])@\w'), ('bullet list', r'(?m)^\s*[*#-] '), ('{{monospace}}', r'\{\{'),
          ('backtick', r'`'), ('*bold*', r'(?<!\w)\*[^*\s][^*\n]*\*(?!\w)'), ('thanks', r'(?i)\bthank'),
          ('greeting', r'(?i)^\s*(hi|hello|hey)\b'), ('issue key', r'\b[A-Z][A-Z0-9]+-\d+\b'),
          ('url', r'https?://'), ('email', r'[\w.+-]+@[\w-]+\.[\w.]+'),
          ('ip', r'\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b')]

def report(name, summaries, descriptions, n_issues, comments):
    texts = [d for d in descriptions if d] + comments
    print(f'== {name}')
    print(f'issues {n_issues}, comments {len(comments)}, comments per issue {len(comments) / n_issues:.2f}')
    print('summary words q10/q50/q90', q([len(words(s)) for s in summaries]))
    print('description words q10/q50/q90', q([len(words(d)) for d in descriptions if d]),
          f'empty {sum(1 for d in descriptions if not d) / n_issues:.3f}')
    print('comment words q10/q50/q90', q([len(words(c)) for c in comments]))
    print('sentence words q10/q50/q90', q(sentence_lengths(texts)))
    for label, pat in MARKUP:
        r = re.compile(pat)
        print(f'  share with {label:14s} {sum(1 for t in texts if r.search(t)) / len(texts):.3f}')
    starts = [s.strip() for t in texts for s in re.split(r'[.!?]\s+', t) if s.strip() and s.strip()[0].isalpha()]
    print(f'lower-case sentence starts {sum(1 for s in starts if s[0].islower()) / len(starts):.3f}')
    cnt = collections.Counter(w.lower() for t in texts for w in words(t))
    tot = sum(cnt.values())
    print(f'tokens {tot}, types {len(cnt)}, type/token {len(cnt) / tot:.3f}')
    print('top 15 words per 1000:', [(w, round(c / tot * 1000, 1)) for w, c in cnt.most_common(15)])

def main():
    apache, demo = sys.argv[1], sys.argv[2]
    iss = load(f'{apache}/issues.jsonl.gz')
    com = [c for c in load(f'{apache}/comments.jsonl.gz') if c.get('body')
           and not re.search(r'(?i)bot|qa', c.get('author_name') or '')
           and 'heart' not in c['body'] and '| Vote |' not in c['body'] and 'Hadoop QA' not in c['body']]
    report('Apache Jira sample (humans)', [i['summary'] for i in iss if i.get('summary')],
           [i.get('description') for i in iss], len(iss), [c['body'] for c in com])
    iss = load(f'{demo}/issues.ndjson.gz')
    com = load(f'{demo}/comments.ndjson.gz')
    report('generated demo corpus', [i['summary'] for i in iss], [i.get('description') for i in iss],
           len(iss), [c['body'] for c in com])

if __name__ == '__main__':
    main()
