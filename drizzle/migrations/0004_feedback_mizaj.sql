ALTER TABLE "feedback" ADD COLUMN "mizaj_type" text;--> statement-breakpoint
-- The mizaj of the rating patient, copied on insert so analytics reads it from the feedback row itself.
UPDATE "feedback" f SET "mizaj_type" = p."mizaj_type" FROM "patients" p WHERE p."id" = f."patient_id";--> statement-breakpoint
CREATE FUNCTION feedback_set_mizaj() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.mizaj_type := (SELECT p.mizaj_type FROM patients p WHERE p.id = NEW.patient_id);
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER feedback_set_mizaj BEFORE INSERT OR UPDATE OF patient_id ON "feedback" FOR EACH ROW EXECUTE FUNCTION feedback_set_mizaj();--> statement-breakpoint
CREATE INDEX "idx_feedback_recommendation_analytics" ON "feedback" USING btree ("recommendation_id","rating","mizaj_type","adherence","created_at");
