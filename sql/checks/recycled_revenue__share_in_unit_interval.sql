-- A vendor cannot have financed more than came in: 0 <= self_financed_usd <= inbound_spend_usd, so
-- recycled_share is in [0, 1]. Returns the rows that break this.
select *
from recycled_revenue
where
    self_financed_usd < 0
    or self_financed_usd > inbound_spend_usd
    or recycled_share < 0
    or recycled_share > 1
