-- Plans made for each call's rows, not one kept from when the tables were nearly empty.
ALTER FUNCTION switchboard_commit SET plan_cache_mode = force_custom_plan;
