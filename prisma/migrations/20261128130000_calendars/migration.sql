-- Calendars (issue 13, first part): maintenance windows and blackouts, each named by a URL-safe slug.

-- CreateTable
CREATE TABLE "maintenance_windows" (
    "name" TEXT NOT NULL,
    "description" TEXT,
    "time_zone" TEXT NOT NULL,
    "rrule" TEXT NOT NULL,
    "start" TEXT NOT NULL,
    "duration" TEXT NOT NULL,
    "offset_days" INTEGER NOT NULL DEFAULT 0,
    "start_date" DATE,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT NOT NULL,

    CONSTRAINT "maintenance_windows_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "blackouts" (
    "name" TEXT NOT NULL,
    "description" TEXT,
    "time_zone" TEXT NOT NULL,
    "ranges" JSONB NOT NULL DEFAULT '[]',
    "rrule" TEXT,
    "start" TEXT,
    "duration" TEXT,
    "offset_days" INTEGER,
    "start_date" DATE,
    "selector" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT NOT NULL,

    CONSTRAINT "blackouts_pkey" PRIMARY KEY ("name")
);
