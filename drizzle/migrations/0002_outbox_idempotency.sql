CREATE TABLE "cache_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"applied_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "cache_store_epochs" (
	"prefix" text PRIMARY KEY NOT NULL,
	"server_id" text NOT NULL,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"credential" text NOT NULL,
	"key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"status" smallint NOT NULL,
	"body" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_credential_key_pk" PRIMARY KEY("credential","key")
);
--> statement-breakpoint
CREATE INDEX "idx_cache_outbox_unapplied" ON "cache_outbox" USING btree ("id") WHERE "cache_outbox"."applied_at" is null;--> statement-breakpoint
CREATE INDEX "idx_cache_outbox_created" ON "cache_outbox" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "idx_idempotency_keys_created" ON "idempotency_keys" USING btree ("created_at");