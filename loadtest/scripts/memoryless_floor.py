#!/usr/bin/env python3
"""The best mean absolute error any estimator could reach on a memoryless queue, for comparison.

When all c slots are busy and handle times are exponential with mean m, departures are a Poisson
process of rate c/m whatever anyone knows, so the wait of the guest at place p is Gamma(p+1, m/c)
and no estimate can do better than that distribution's median. This script reads a sample dump of
the simulator (java -Dswitchboard.simulate.dump=PREFIX -jar ... simulate ...) and prints, over the
same samples, that floor next to what Switchboard and the velocity baseline reached.

  python3 loadtest/scripts/memoryless_floor.py PREFIX-short-waits.csv --slots 12 --mean-handle-s 60
"""
import argparse
import csv
import random
import statistics

parser = argparse.ArgumentParser()
parser.add_argument("dump")
parser.add_argument("--slots", type=int, required=True)
parser.add_argument("--mean-handle-s", type=float, required=True)
args = parser.parse_args()
theta = args.mean_handle_s / args.slots
random.seed(1)
floors = {}


def gamma_mae(k):
    draws = sorted(random.gammavariate(k, theta) for _ in range(20000))
    median = draws[len(draws) // 2]
    return statistics.mean(abs(x - median) for x in draws)


rows = [r for r in csv.DictReader(open(args.dump)) if r["switchboard"] and r["velocity"]]
floor = ours = velocity = 0.0
for r in rows:
    k = int(r["position"]) + 1
    if k not in floors:
        floors[k] = gamma_mae(k)
    floor += floors[k]
    ours += abs(float(r["switchboard"]) - float(r["actual_s"]))
    velocity += abs(float(r["velocity"]) - float(r["actual_s"]))
n = len(rows)
print(f"{n} samples: memoryless floor {floor / n:.2f} s, switchboard {ours / n:.2f} s, "
      f"velocity {velocity / n:.2f} s (0.7 x velocity = {0.7 * velocity / n:.2f} s)")
