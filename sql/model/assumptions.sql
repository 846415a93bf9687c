-- Every constant a metric uses, in the open: what it is, its unit and where it comes from.
-- Grain: one row per name. value is text (a number or a chip name); metrics cast what they read.
-- it_watts_per_chip.<chip> rows give a chip's all-in IT power; other chips use
-- tdp_w x it_watts_per_tdp_watt.
select
    name,
    value,
    unit,
    source,
    note
from clean_assumptions
order by name
