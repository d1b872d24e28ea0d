CREATE TABLE "feedback_stats" (
	"recommendation_id" integer NOT NULL,
	"dimension" text NOT NULL,
	"value" text NOT NULL,
	"n" integer NOT NULL,
	"rating_sum" bigint NOT NULL,
	"adherence_sum" bigint NOT NULL,
	CONSTRAINT "feedback_stats_recommendation_id_dimension_value_pk" PRIMARY KEY("recommendation_id","dimension","value")
);
--> statement-breakpoint
DROP INDEX "idx_feedback_recommendation_analytics";--> statement-breakpoint
-- The dimensions and values one feedback row is counted under: the groups of a recommendation's analytics.
CREATE FUNCTION feedback_stats_keys(rating smallint, mizaj_type text, created_at timestamptz, adherence smallint)
RETURNS TABLE (dimension text, value text) LANGUAGE sql STABLE AS $$
  VALUES ('total', ''), ('rating', rating::text), ('mizaj', coalesce(mizaj_type, '')),
         ('month', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM')),
         ('bucket', CASE WHEN adherence < 25 THEN '0-24' WHEN adherence < 50 THEN '25-49' WHEN adherence < 75 THEN '50-74' ELSE '75-100' END)
$$;--> statement-breakpoint
-- feedback_stats holds, per recommendation, dimension and value, how many feedback rows there are and the sums
-- of their ratings and adherence (no row where that count is 0). The trigger below keeps it so after any write
-- (statement-level, with transition tables: one statement per COPY or bulk insert; rows upserted in key order,
-- so concurrent writers lock them in the same order).
INSERT INTO "feedback_stats" ("recommendation_id", "dimension", "value", "n", "rating_sum", "adherence_sum")
SELECT f."recommendation_id", k.dimension, k.value, count(*), sum(f."rating"), sum(f."adherence")
FROM "feedback" f CROSS JOIN LATERAL feedback_stats_keys(f."rating", f."mizaj_type", f."created_at", f."adherence") k
GROUP BY 1, 2, 3;--> statement-breakpoint
CREATE FUNCTION feedback_stats_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO feedback_stats AS s (recommendation_id, dimension, value, n, rating_sum, adherence_sum)
    SELECT f.recommendation_id, k.dimension, k.value, -count(*), -sum(f.rating), -sum(f.adherence)
    FROM old_rows f CROSS JOIN LATERAL feedback_stats_keys(f.rating, f.mizaj_type, f.created_at, f.adherence) k
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (recommendation_id, dimension, value) DO UPDATE
      SET n = s.n + excluded.n, rating_sum = s.rating_sum + excluded.rating_sum, adherence_sum = s.adherence_sum + excluded.adherence_sum;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO feedback_stats AS s (recommendation_id, dimension, value, n, rating_sum, adherence_sum)
    SELECT f.recommendation_id, k.dimension, k.value, count(*), sum(f.rating), sum(f.adherence)
    FROM new_rows f CROSS JOIN LATERAL feedback_stats_keys(f.rating, f.mizaj_type, f.created_at, f.adherence) k
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (recommendation_id, dimension, value) DO UPDATE
      SET n = s.n + excluded.n, rating_sum = s.rating_sum + excluded.rating_sum, adherence_sum = s.adherence_sum + excluded.adherence_sum;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM feedback_stats s WHERE s.n = 0 AND s.recommendation_id IN (SELECT recommendation_id FROM old_rows);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER feedback_stats_insert AFTER INSERT ON "feedback" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_stats_apply();--> statement-breakpoint
CREATE TRIGGER feedback_stats_delete AFTER DELETE ON "feedback" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_stats_apply();--> statement-breakpoint
CREATE TRIGGER feedback_stats_update AFTER UPDATE ON "feedback" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_stats_apply();
