"""The Hong Kong court-deadline engine: a pure counter (engine), the holiday and closure
calendar (holidays), reads (selectors) and writes (services). See docs/hk-rules.md,
"Computing time"."""
