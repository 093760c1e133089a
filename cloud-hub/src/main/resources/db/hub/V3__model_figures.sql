-- What each tiny model's variant measured when it was fitted (dev.tandem.hub.commissioning.VariantFigures,
-- JSON): its variant, artifact size, parameters, scoring cost and agreement with the teacher on the
-- commissioning windows. Null for large models and for models kept before this column.
alter table models add column figures varchar(4000);
