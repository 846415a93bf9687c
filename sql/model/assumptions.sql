-- Every constant a metric uses, in the open: what it is, its unit and where it comes from.
-- Grain: one row per name. value is text (a number or a chip name); metrics cast what they read.
-- it_watts_per_chip.<chip> rows give a chip's all-in IT power; other chips use
-- tdp_w x it_watts_per_tdp_watt.
--
-- columns:
--   name: name of the constant (pue, hours_per_year, it_watts_per_chip.<chip>, ...); unique
--   value: the value as text (a number or a chip name); metrics cast what they read; unit in unit
--   unit: unit of value (hours, W per chip, facility W per IT W, USD per GW, chip, pricing)
--   source: URL the value comes from, or `definition: <file>` for a choice this project makes, with the file that implements it
--   note: how the value was derived or observed, with the quote where there is one
select
    name,
    value,
    unit,
    source,
    note
from clean_assumptions
order by name
