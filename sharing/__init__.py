"""Energy sharing in the neighbourhood (issue 10): a community per programme, participants and
their meters, meter-data import, monthly allocation runs, statements, dashboard, key simulator
and "use power now" advice. Pure parts: the allocation engine (`sharing.allocation`), the
meter-data parser (`sharing.meterdata`), quarter-hours and local days (`sharing.timeseries`),
charts (`sharing.charts`) and the clear-sky advice (`sharing.advice`). See docs/sharing.md.
"""
