-- Companies that take part in AI-infrastructure deals, with the kind of business each is in.
-- Grain: one row per company_id. `aliases` lists (';'-separated) every spelling the sources use for
-- the company; deal_flows refers to companies only by company_id. is_big_three marks Amazon,
-- Microsoft and Google, the three largest clouds.
select
    company_id,
    name,
    kind,
    is_big_three,
    aliases
from clean_companies
order by company_id
