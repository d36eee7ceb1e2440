"""Parses an OpenMetrics exposition (the file argv[1]) with prometheus_client's OpenMetrics
parser and prints its families as JSON: [{"name", "type", "unit", "documentation",
"samples": [{"name", "labels", "value", "timestamp"}]}]. The parser raises (exit 1) on any
error, including a missing `# EOF`."""
import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

with open(sys.argv[1], encoding="utf-8") as f:
    text = f.read()
families = []
for fam in text_string_to_metric_families(text):
    families.append({
        "name": fam.name,
        "type": fam.type,
        "unit": fam.unit,
        "documentation": fam.documentation,
        "samples": [
            {"name": s.name, "labels": s.labels, "value": s.value,
             "timestamp": None if s.timestamp is None else str(s.timestamp)}
            for s in fam.samples
        ],
    })
print(json.dumps(families))
