#!/usr/bin/env python3
"""Parses an OpenMetrics text exposition from stdin with prometheus_client's own parser (PyPI), an
independent reader of what /metrics serves, and prints its samples as JSON: {sample name: [[labels, value]]}.
A malformed exposition makes the parser raise, and this script exit non-zero."""

import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

samples = {}
for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        samples.setdefault(sample.name, []).append([sample.labels, sample.value])
print(json.dumps(samples))
