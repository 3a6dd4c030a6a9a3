-- 0007: a scenario keeps the planner's pins (docs/model.md, Pins): assets kept in a depot's lot,
-- lots kept together (closed: exactly these assets), assets kept out of a depot. They are a
-- solver.Pins JSON object that ScenarioInstance puts into every instance of the scenario, so a
-- re-solve keeps them. '{}' is no pin.
ALTER TABLE scenarios ADD COLUMN pins TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(pins));
