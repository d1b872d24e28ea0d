-- Hand-added: the trigram index on patients.name below needs it (drizzle-kit does not emit extensions).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TABLE "admin_audit" (
	"id" serial PRIMARY KEY NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text NOT NULL,
	"ok" boolean NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "cache_metric_samples" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"taken_at" timestamp with time zone DEFAULT now() NOT NULL,
	"instance" text NOT NULL,
	"kind" text NOT NULL,
	"category" text,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conditions" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name_fa" text NOT NULL,
	"name_en" text NOT NULL,
	"name_ar" text NOT NULL,
	CONSTRAINT "conditions_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "diagnoses" (
	"id" serial PRIMARY KEY NOT NULL,
	"patient_id" integer NOT NULL,
	"condition_id" integer NOT NULL,
	"clinician_id" integer,
	"notes" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feedback" (
	"id" serial PRIMARY KEY NOT NULL,
	"recommendation_id" integer NOT NULL,
	"diagnosis_id" integer NOT NULL,
	"patient_id" integer NOT NULL,
	"rating" smallint NOT NULL,
	"adherence" smallint NOT NULL,
	"side_effects" text,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "feedback_rating_range" CHECK ("feedback"."rating" between 1 and 5),
	CONSTRAINT "feedback_adherence_range" CHECK ("feedback"."adherence" between 0 and 100)
);
--> statement-breakpoint
CREATE TABLE "health_records" (
	"id" serial PRIMARY KEY NOT NULL,
	"patient_id" integer NOT NULL,
	"kind" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "patients" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"mizaj_type" text NOT NULL,
	"birth_year" smallint NOT NULL,
	"sex" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recommendations" (
	"id" serial PRIMARY KEY NOT NULL,
	"condition_id" integer NOT NULL,
	"remedy_code" text NOT NULL,
	"kind" text NOT NULL,
	"name_fa" text NOT NULL,
	"name_en" text NOT NULL,
	"name_ar" text NOT NULL,
	"dosage" text NOT NULL,
	"temperament" text NOT NULL,
	"effectiveness_score" real DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
ALTER TABLE "diagnoses" ADD CONSTRAINT "diagnoses_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnoses" ADD CONSTRAINT "diagnoses_condition_id_conditions_id_fk" FOREIGN KEY ("condition_id") REFERENCES "public"."conditions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnoses" ADD CONSTRAINT "diagnoses_clinician_id_users_id_fk" FOREIGN KEY ("clinician_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_recommendation_id_recommendations_id_fk" FOREIGN KEY ("recommendation_id") REFERENCES "public"."recommendations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_diagnosis_id_diagnoses_id_fk" FOREIGN KEY ("diagnosis_id") REFERENCES "public"."diagnoses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health_records" ADD CONSTRAINT "health_records_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recommendations" ADD CONSTRAINT "recommendations_condition_id_conditions_id_fk" FOREIGN KEY ("condition_id") REFERENCES "public"."conditions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_admin_audit_created" ON "admin_audit" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "idx_cache_metric_samples_taken" ON "cache_metric_samples" USING btree ("taken_at","kind");--> statement-breakpoint
CREATE INDEX "idx_diagnosis_condition_patient" ON "diagnoses" USING btree ("condition_id","patient_id");--> statement-breakpoint
CREATE INDEX "idx_diagnosis_patient" ON "diagnoses" USING btree ("patient_id","condition_id");--> statement-breakpoint
CREATE INDEX "idx_diagnosis_created" ON "diagnoses" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "idx_feedback_recommendation_created" ON "feedback" USING btree ("recommendation_id","created_at");--> statement-breakpoint
CREATE INDEX "idx_feedback_recommendation_rating" ON "feedback" USING btree ("recommendation_id","rating");--> statement-breakpoint
CREATE INDEX "idx_feedback_diagnosis" ON "feedback" USING btree ("diagnosis_id");--> statement-breakpoint
CREATE INDEX "idx_feedback_created" ON "feedback" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "idx_health_record_created" ON "health_records" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "idx_health_record_patient_created" ON "health_records" USING btree ("patient_id","created_at");--> statement-breakpoint
CREATE INDEX "idx_patient_mizaj_type" ON "patients" USING btree ("mizaj_type");--> statement-breakpoint
CREATE INDEX "idx_patient_mizaj_birth_year" ON "patients" USING btree ("mizaj_type","birth_year","id");--> statement-breakpoint
CREATE INDEX "idx_patient_name_trgm" ON "patients" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "idx_recommendation_effectiveness" ON "recommendations" USING btree ("effectiveness_score");--> statement-breakpoint
CREATE INDEX "idx_recommendation_condition" ON "recommendations" USING btree ("condition_id");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_recommendation_condition_remedy" ON "recommendations" USING btree ("condition_id","remedy_code");--> statement-breakpoint
CREATE INDEX "idx_session_user" ON "sessions" USING btree ("user_id");