"""A Laplace sum mechanism in plain Python, for the epsilon_audit tests.

The same noise reaches the Python API (a callable) and the CLI (this file run
as an external mechanism command: `python laplace_mechanism.py INPUT OUTPUT
SEED SCALE`), so both audits see identical releases trial for trial.
Sum of column `x` clamped to [0, 1] plus Laplace noise of `scale`:
epsilon-DP with epsilon = 1 / scale under add/remove-one neighbours
(Dwork, McSherry, Nissim & Smith 2006).
"""

import csv
import math
import random
import sys


def noisy_sum(values, seed, scale):
    total = sum(min(max(float(v), 0.0), 1.0) for v in values)
    u = random.Random(seed).random() - 0.5
    magnitude = -scale * math.log(max(1.0 - 2.0 * abs(u), 1e-300))
    return total + (magnitude if u >= 0 else -magnitude)


def main(argv):
    source, target, seed, scale = argv[1], argv[2], int(argv[3]), float(argv[4])
    with open(source, newline="") as f:
        values = [row["x"] for row in csv.DictReader(f)]
    with open(target, "w", newline="") as f:
        f.write("x\n" + repr(noisy_sum(values, seed, scale)) + "\n")


if __name__ == "__main__":
    main(sys.argv)
