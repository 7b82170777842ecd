"""Self-assessment: a municipality answers a short trust-governance questionnaire by an anonymous
link and gets feedback against national and size-class aggregates. Issue "observatory"."""
