-- Companies that take part in AI-infrastructure deals, with the kind of business each is in.
-- Grain: one row per company_id. `aliases` lists (';'-separated) every spelling the sources use for
-- the company; deal_flows refers to companies only by company_id. is_big_three marks Amazon,
-- Microsoft and Google, the three largest clouds.
--
-- columns:
--   company_id: company id (lowercase snake_case) that deal_flows uses in from_company and to_company
--   name: display name of the company
--   kind: kind of business - ai_lab, hyperscaler, cloud, neocloud, chip_vendor, investor or other
--   is_big_three: true for Amazon, Microsoft and Google, the three largest clouds
--   aliases: semicolon-separated list of every spelling the sources use for the company
--   cik: the company's SEC Central Index Key, 10 digits; NULL for a company that does not file with the SEC
select
    company_id,
    name,
    kind,
    is_big_three,
    aliases,
    lpad(cik, 10, '0') as cik
from clean_companies
order by company_id
