#!/usr/bin/env python3
"""Seeded person-record generator for the record-linkage benchmark (issue #4).

Writes ORIGINAL and RELEASE CSV files of the same N people: the release is a
corrupted, shuffled copy (typos, swapped first name/surname, missing values,
date of birth off by a day or with day and month swapped, moved zip code,
changed e-mail domain, flipped gender). Both files carry the person id in
column `id`, the truth key; no comparison or blocking rule uses it.

Name frequencies are skewed like real name registers: a head of common US
first names and surnames (the most frequent names of the US SSA baby-name
lists and of the 2010 US Census surname table, typed in below from memory of
those public lists, ranked, no counts copied) followed by a long synthetic
tail built from syllables, all drawn from a Zipf-Mandelbrot law
p(rank) ~ 1 / (rank + q)^s. Zip codes (and their cities) are Zipf-distributed
too, so blocks are uneven as in real data. Pure Python + numpy, no network;
the same --seed gives the same files.

    python3 benches/make_linkage_data.py --n 1000000 --out /work/linkbench-data/1m
"""

import argparse
import csv
import os
import sys
import time

import numpy as np

MALE = """James Robert John Michael David William Richard Joseph Thomas Charles Christopher
Daniel Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George
Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry
Justin Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis
Jerry Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle Ethan Walter Noah
Jeremy Christian Keith Roger Terry Gerald Harold Sean Austin Carl Arthur Lawrence Dylan
Jesse Jordan Bryan Billy Joe Bruce Gabriel Logan Albert Willie Alan Juan Wayne Elijah
Randy Roy Vincent Ralph Eugene Russell Bobby Mason Philip Louis""".split()

FEMALE = """Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa
Nancy Betty Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy
Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna
Brenda Pamela Emma Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet
Catherine Maria Heather Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren
Christina Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa
Ann Sara Madison Frances Kathryn Janice Jean Abigail Alice Judy Sophia Grace Denise Amber
Doris Marilyn Danielle Beverly Isabella Theresa Diana Natalie Brittany Charlotte Marie
Kayla Alexis Lori""".split()

SURNAMES = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez
Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez
Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright
Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell
Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart
Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly
Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza
Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell
Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher
Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace
Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford
Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas
Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon
Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson
Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols
Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce
Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong
Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston
Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval""".split()

CITY_HEAD = """Springfield Franklin Greenville Bristol Clinton Fairview Salem Madison
Georgetown Arlington Ashland Burlington Manchester Oxford Jackson Milton Newport
Auburn Dayton Lexington Riverside Centerville Mount_Vernon Winchester Dover Hudson
Kingston Marion Clayton Chester""".split()

SYL_A = """ba be bi bo bu da de di do ka ke ki ko la le li lo lu ma me mi mo mu na ne ni
no ra re ri ro ru sa se si so ta te ti to va ve vi wa we ha he ho ja jo za ze""".split()
SYL_B = """ban ber bin bly dan den der don ford gan gar ger ham har hel kin ley lin lan
lor man mar mer mon nan ner nes ney ran ren rick ris ron sen son ston ter ton tor van
ver vin well win wood worth""".split()
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "icloud.com",
           "mail.com", "proton.me"]
ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def synthetic_names(rng, count, exclude, syllables):
    """`count` distinct capitalised names from 2-4 syllables, none in `exclude`."""
    out, seen = [], {n.lower() for n in exclude}
    while len(out) < count:
        k = rng.integers(2, 5)
        parts = [SYL_A[rng.integers(len(SYL_A))] for _ in range(k - 1)]
        parts.append(syllables[rng.integers(len(syllables))])
        name = "".join(parts)
        if name not in seen:
            seen.add(name)
            out.append(name.capitalize())
    return out


def zipf_weights(n, s, q):
    w = 1.0 / (np.arange(1, n + 1) + q) ** s
    return w / w.sum()


def typo(rng, s):
    """One random edit (substitution, deletion, insertion or adjacent transposition)."""
    if len(s) < 2:
        return s + ALPHABET[rng.integers(26)]
    i = int(rng.integers(len(s)))
    op = rng.integers(4)
    c = ALPHABET[rng.integers(26)]
    if i == 0 and s[0].isupper():
        c = c.upper()
    if op == 0:
        return s[:i] + c + s[i + 1:]
    if op == 1:
        return s[:i] + s[i + 1:]
    if op == 2:
        return s[:i] + c + s[i:]
    j = min(i, len(s) - 2)
    return s[:j] + s[j + 1] + s[j] + s[j + 2:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, required=True, help="people (rows in each file)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--seed", type=int, default=20261124)
    args = ap.parse_args()
    t0 = time.time()
    rng = np.random.default_rng(args.seed)
    n = args.n
    os.makedirs(args.out, exist_ok=True)

    # Vocabularies: real head + synthetic tail, Zipf-Mandelbrot frequencies.
    male = MALE + synthetic_names(rng, 4000, MALE + FEMALE, SYL_B)
    female = FEMALE + synthetic_names(rng, 4000, MALE + FEMALE + male, ["a", "ia", "ina", "elle", "ette", "ene", "ine", "ara"])
    surnames = SURNAMES + synthetic_names(rng, 150_000, SURNAMES, SYL_B)
    p_first = zipf_weights(len(male), 1.0, 8.0)
    p_female = zipf_weights(len(female), 1.0, 8.0)
    p_sur = zipf_weights(len(surnames), 0.85, 5.0)
    n_zip = 20_000
    p_zip = zipf_weights(n_zip, 0.6, 10.0)
    zips = np.array([f"{z:05d}" for z in rng.choice(np.arange(1000, 99999), n_zip, replace=False)])
    cities = CITY_HEAD + synthetic_names(rng, 3000, CITY_HEAD, SYL_B)
    cities = [c.replace("_", " ") for c in cities]
    zip_city = rng.integers(0, len(cities), n_zip)
    # roughly: the more popular zips belong to the head cities
    zip_city[:200] = rng.integers(0, len(CITY_HEAD), 200)

    sum_sq = float((p_first ** 2).sum()) / 2 * float((p_sur ** 2).sum())
    print(f"sum p^2: first {(p_first ** 2).sum():.4f} surname {(p_sur ** 2).sum():.5f} zip {(p_zip ** 2).sum():.5f}",
          file=sys.stderr)
    print(f"expected first&surname pairs ~ {n * n * sum_sq:,.0f}", file=sys.stderr)

    gender = np.where(rng.random(n) < 0.5, "M", "F")
    first = np.where(gender == "M",
                     np.array(male, dtype=object)[rng.choice(len(male), n, p=p_first)],
                     np.array(female, dtype=object)[rng.choice(len(female), n, p=p_female)])
    sur = np.array(surnames, dtype=object)[rng.choice(len(surnames), n, p=p_sur)]
    start = np.datetime64("1940-01-01")
    days = rng.integers(0, (np.datetime64("2006-01-01") - start).astype(int), n)
    dob = (start + days.astype("timedelta64[D]")).astype(str).astype(object)
    zi = rng.choice(n_zip, n, p=p_zip)
    zipc = zips[zi].astype(object)
    city = np.array(cities, dtype=object)[zip_city[zi]]
    dom = np.array(DOMAINS, dtype=object)[rng.integers(0, len(DOMAINS), n)]
    num = rng.integers(0, 100, n)
    email = np.array([f"{a.lower()}.{b.lower()}{c if c < 60 else ''}@{d}"
                      for a, b, c, d in zip(first, sur, num, dom)], dtype=object)
    email[rng.random(n) < 0.15] = ""
    ids = np.array([f"P{i:08d}" for i in range(n)], dtype=object)

    cols = ["id", "first_name", "surname", "dob", "gender", "city", "zip", "email"]
    orig = {"id": ids, "first_name": first, "surname": sur, "dob": dob, "gender": gender.astype(object),
            "city": city, "zip": zipc, "email": email}
    # originals: a few missing values of their own
    for c, rate in [("city", 0.01), ("zip", 0.01), ("dob", 0.005)]:
        v = orig[c].copy()
        v[rng.random(n) < rate] = ""
        orig[c] = v

    rel = {c: orig[c].copy() for c in cols}
    u = lambda: rng.random(n)  # noqa: E731

    def corrupt(col, rate, f):
        v = rel[col]
        for i in np.nonzero(u() < rate)[0]:
            if v[i]:
                v[i] = f(v[i])

    corrupt("first_name", 0.12, lambda s: typo(rng, s))
    corrupt("surname", 0.12, lambda s: typo(rng, s))
    # swapped first name / surname
    sw = np.nonzero(u() < 0.02)[0]
    rel["first_name"][sw], rel["surname"][sw] = rel["surname"][sw].copy(), rel["first_name"][sw].copy()

    def shift_day(s):
        d = np.datetime64(s) + np.timedelta64(int(rng.choice([-1, 1])), "D")
        return str(d)

    def swap_dm(s):
        y, m, d = s.split("-")
        return f"{y}-{d}-{m}" if int(d) <= 12 and d != m else shift_day(s)

    def digit_typo(s):
        i = int(rng.choice([2, 3, 6, 9]))
        return s[:i] + str(rng.integers(10)) + s[i + 1:]

    corrupt("dob", 0.08, shift_day)
    corrupt("dob", 0.02, swap_dm)
    corrupt("dob", 0.02, digit_typo)
    corrupt("city", 0.04, lambda s: typo(rng, s))
    moved = np.nonzero(u() < 0.08)[0]
    zi2 = rng.choice(n_zip, len(moved), p=p_zip)
    rel["zip"][moved] = zips[zi2]
    rel["city"][moved] = np.array(cities, dtype=object)[zip_city[zi2]]
    corrupt("gender", 0.01, lambda s: "F" if s == "M" else "M")
    corrupt("email", 0.10, lambda s: s.split("@")[0] + "@" + DOMAINS[rng.integers(len(DOMAINS))])
    for c, rate in [("first_name", 0.03), ("surname", 0.02), ("dob", 0.02), ("gender", 0.02),
                    ("city", 0.04), ("zip", 0.04), ("email", 0.30)]:
        rel[c][u() < rate] = ""

    order = rng.permutation(n)
    for name, table, perm in [("original.csv", orig, np.arange(n)), ("release.csv", rel, order)]:
        with open(os.path.join(args.out, name), "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            w.writerows(zip(*(table[c][perm] for c in cols)))
    print(f"wrote {n:,} + {n:,} rows to {args.out} in {time.time() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
