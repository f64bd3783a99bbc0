"""Energy sharing's pure rules, no Django: the allocation engine, the meter-data parser,
quarter-hours and local days, synthetic series, SVG charts and the clear-sky advice."""
