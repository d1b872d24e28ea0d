CREATE TABLE "login_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"points" integer NOT NULL,
	"reset_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "patient_access_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"viewer" text NOT NULL,
	"viewer_label" text NOT NULL,
	"patient_id" integer NOT NULL,
	"resource" text NOT NULL,
	"via" text NOT NULL,
	"viewed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "idx_login_limits_reset" ON "login_limits" USING btree ("reset_at");--> statement-breakpoint
CREATE INDEX "idx_patient_access_viewed" ON "patient_access_audit" USING btree ("viewed_at");--> statement-breakpoint
CREATE INDEX "idx_patient_access_patient" ON "patient_access_audit" USING btree ("patient_id","viewed_at");