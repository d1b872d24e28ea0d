CREATE TABLE "condition_raters" (
	"condition_id" integer NOT NULL,
	"mizaj_type" text NOT NULL,
	"birth_year" smallint NOT NULL,
	"patient_id" integer NOT NULL,
	CONSTRAINT "condition_raters_condition_id_mizaj_type_birth_year_patient_id_pk" PRIMARY KEY("condition_id","mizaj_type","birth_year","patient_id")
);
--> statement-breakpoint
DROP INDEX "idx_patient_mizaj_birth_year";--> statement-breakpoint
CREATE INDEX "idx_condition_raters_patient" ON "condition_raters" USING btree ("patient_id","condition_id");--> statement-breakpoint
-- condition_raters holds exactly the (condition, patient) pairs where the patient has a diagnosis of the condition
-- with at least one feedback row, with the patient's current mizaj and birth year. These triggers keep it so
-- after any write (statement-level, with transition tables: one statement per COPY or bulk insert).
INSERT INTO "condition_raters" ("condition_id", "mizaj_type", "birth_year", "patient_id")
SELECT DISTINCT d."condition_id", p."mizaj_type", p."birth_year", d."patient_id"
FROM "diagnoses" d JOIN "patients" p ON p."id" = d."patient_id"
WHERE EXISTS (SELECT 1 FROM "feedback" f WHERE f."diagnosis_id" = d."id");--> statement-breakpoint
-- The pairs given are brought back to the definition: dropped when no rated diagnosis is left, added when one is.
CREATE FUNCTION condition_raters_refresh(patient_ids integer[], condition_ids integer[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM condition_raters r
  USING unnest(patient_ids, condition_ids) AS x(patient_id, condition_id)
  WHERE r.patient_id = x.patient_id AND r.condition_id = x.condition_id
    AND NOT EXISTS (SELECT 1 FROM diagnoses d JOIN feedback f ON f.diagnosis_id = d.id
                    WHERE d.patient_id = x.patient_id AND d.condition_id = x.condition_id);
  INSERT INTO condition_raters (condition_id, mizaj_type, birth_year, patient_id)
  SELECT DISTINCT x.condition_id, p.mizaj_type, p.birth_year, x.patient_id
  FROM unnest(patient_ids, condition_ids) AS x(patient_id, condition_id) JOIN patients p ON p.id = x.patient_id
  WHERE EXISTS (SELECT 1 FROM diagnoses d JOIN feedback f ON f.diagnosis_id = d.id
                WHERE d.patient_id = x.patient_id AND d.condition_id = x.condition_id)
  ON CONFLICT DO NOTHING;
$$;--> statement-breakpoint
-- New feedback makes its diagnosis's pair a rater (the foreign key guarantees the diagnosis exists).
CREATE FUNCTION condition_raters_feedback_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO condition_raters (condition_id, mizaj_type, birth_year, patient_id)
  SELECT DISTINCT d.condition_id, p.mizaj_type, p.birth_year, d.patient_id
  FROM new_rows f JOIN diagnoses d ON d.id = f.diagnosis_id JOIN patients p ON p.id = d.patient_id
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER condition_raters_feedback_insert AFTER INSERT ON "feedback" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION condition_raters_feedback_insert();--> statement-breakpoint
-- Feedback deleted or moved to another diagnosis: its diagnoses' pairs (a diagnosis deleted with its feedback is
-- not found here; the diagnoses trigger refreshes its pair).
CREATE FUNCTION condition_raters_feedback_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM condition_raters_refresh(array_agg(d.patient_id), array_agg(d.condition_id))
  FROM diagnoses d WHERE d.id IN (SELECT diagnosis_id FROM old_rows);
  IF TG_OP = 'UPDATE' THEN
    PERFORM condition_raters_refresh(array_agg(d.patient_id), array_agg(d.condition_id))
    FROM diagnoses d WHERE d.id IN (SELECT diagnosis_id FROM new_rows);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER condition_raters_feedback_delete AFTER DELETE ON "feedback" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION condition_raters_feedback_change();--> statement-breakpoint
CREATE TRIGGER condition_raters_feedback_update AFTER UPDATE ON "feedback" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION condition_raters_feedback_change();--> statement-breakpoint
-- A diagnosis deleted (with the patient, say) or moved to another patient or condition: the pairs it left and joined.
CREATE FUNCTION condition_raters_diagnoses_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM condition_raters_refresh(array_agg(o.patient_id), array_agg(o.condition_id)) FROM old_rows o;
  IF TG_OP = 'UPDATE' THEN
    PERFORM condition_raters_refresh(array_agg(n.patient_id), array_agg(n.condition_id)) FROM new_rows n;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER condition_raters_diagnoses_delete AFTER DELETE ON "diagnoses" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION condition_raters_diagnoses_change();--> statement-breakpoint
CREATE TRIGGER condition_raters_diagnoses_update AFTER UPDATE ON "diagnoses" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION condition_raters_diagnoses_change();--> statement-breakpoint
-- A patient's mizaj or birth year corrected: their rows move with them.
CREATE FUNCTION condition_raters_patients_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE condition_raters r SET mizaj_type = n.mizaj_type, birth_year = n.birth_year
  FROM new_rows n WHERE r.patient_id = n.id AND (r.mizaj_type, r.birth_year) IS DISTINCT FROM (n.mizaj_type, n.birth_year);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER condition_raters_patients_update AFTER UPDATE ON "patients" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION condition_raters_patients_update();
