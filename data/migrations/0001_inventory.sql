-- 0001: the inventory — municipalities, depots and assets.
-- Coordinates are WGS84 degrees. Boundaries are GeoJSON geometries (Polygon or MultiPolygon).

CREATE TABLE municipalities (
    code         TEXT PRIMARY KEY
                 CHECK (length(code) = 5 AND code GLOB '[0-9][0-9][0-9][0-9][0-9]'),
    name         TEXT NOT NULL,
    prefecture   TEXT NOT NULL DEFAULT '',
    region       TEXT NOT NULL DEFAULT '',
    participates INTEGER NOT NULL DEFAULT 1 CHECK (participates IN (0, 1)),
    office_name  TEXT NOT NULL DEFAULT '',
    office_lon   REAL NOT NULL CHECK (office_lon BETWEEN -180 AND 180),
    office_lat   REAL NOT NULL CHECK (office_lat BETWEEN -90 AND 90),
    boundary     TEXT -- GeoJSON geometry, NULL when unknown
) STRICT;

-- A depot is a place a bundle is run from: a municipal office (kind 'office', id office-<code>),
-- a prefectural district civil-engineering office (土木事務所, kind 'district') or another place.
CREATE TABLE depots (
    id           TEXT PRIMARY KEY CHECK (id <> ''),
    name         TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL DEFAULT 'other' CHECK (kind IN ('office', 'district', 'other')),
    municipality TEXT REFERENCES municipalities (code) ON DELETE CASCADE,
    lon          REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat          REAL NOT NULL CHECK (lat BETWEEN -90 AND 90)
) STRICT;

-- cost (yen), workload (person-days) and equipment (JSON array of names) are the explicit
-- figures of MODEL.md; NULL means "estimate from the attributes" (data/estimate.go).
CREATE TABLE assets (
    id                 TEXT PRIMARY KEY CHECK (id <> ''),
    municipality       TEXT NOT NULL REFERENCES municipalities (code) ON DELETE CASCADE,
    kind               TEXT NOT NULL CHECK (kind <> ''),
    name               TEXT NOT NULL DEFAULT '',
    lon                REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat                REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    length_m           REAL CHECK (length_m >= 0),
    width_m            REAL CHECK (width_m >= 0),
    year_built         INTEGER,
    rating             INTEGER CHECK (rating BETWEEN 1 AND 4), -- 健全性 I..IV
    last_inspection_fy INTEGER,
    over_rail          INTEGER NOT NULL DEFAULT 0 CHECK (over_rail IN (0, 1)),
    over_water         INTEGER NOT NULL DEFAULT 0 CHECK (over_water IN (0, 1)),
    cost               REAL CHECK (cost >= 0),
    workload           REAL CHECK (workload >= 0),
    equipment          TEXT CHECK (equipment IS NULL OR json_valid(equipment))
) STRICT;

CREATE INDEX assets_by_municipality ON assets (municipality, kind, id);
CREATE INDEX assets_by_kind ON assets (kind, id);
CREATE INDEX depots_by_municipality ON depots (municipality);

-- Small facts about the database itself (e.g. which demo dataset was loaded).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
