-- circular_usd is the money that can have gone round, so it is never more than either side, nor negative;
-- round_trip_ratio is spend back over capital. Returns the rows that break this.
select *
from round_trips
where
    circular_usd < 0
    or circular_usd > capital_usd
    or circular_usd > spend_back_usd
    or abs(round_trip_ratio - spend_back_usd / nullif(capital_usd, 0)) > 1e-9
