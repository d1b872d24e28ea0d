CREATE TABLE "cache_metric_rollups" (
	"resolution" integer NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"instance" text NOT NULL,
	"kind" text NOT NULL,
	"category" text DEFAULT '' NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "uq_cache_metric_rollups" ON "cache_metric_rollups" USING btree ("resolution","bucket","instance","kind","category");--> statement-breakpoint
CREATE INDEX "idx_cache_metric_rollups_bucket" ON "cache_metric_rollups" USING btree ("resolution","bucket");