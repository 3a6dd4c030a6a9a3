-- 0008: a scenario may plan several fiscal years (docs/programme.md): its optional programme is
-- the solver.ProgrammeSpec JSON object (first_fy, years, cycle_years, advance_max_years,
-- contract_years, year_limits, budgets) that ScenarioInstance puts into a version-2 instance.
-- NULL is a one-year scenario, as before.
ALTER TABLE scenarios ADD COLUMN programme TEXT CHECK (programme IS NULL OR json_valid(programme));
