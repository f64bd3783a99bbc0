"""Energy sharing in the neighbourhood (issue 10): a community per programme, participants and
their meters, meter-data import, monthly allocation runs, statements, dashboard, key simulator
and "use power now" advice. The pure parts are in `sharing.pure`: the allocation engine, the
meter-data parser, quarter-hours and local days, charts and the clear-sky advice. See
docs/sharing.md.
"""
