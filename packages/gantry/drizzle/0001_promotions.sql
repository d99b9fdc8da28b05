CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"stages" jsonb,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_name_unique" UNIQUE("name"),
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text NOT NULL,
	"reason" text,
	"request_id" text,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"actor" text NOT NULL,
	"key" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" text NOT NULL,
	"response_status" jsonb,
	"response_body" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_actor_key_pk" PRIMARY KEY("actor","key")
);
--> statement-breakpoint
CREATE TABLE "pipeline_revisions" (
	"service" text NOT NULL,
	"revision" integer NOT NULL,
	"spec" jsonb NOT NULL,
	"spec_hash" text NOT NULL,
	"applied_by" text NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pipeline_revisions_service_revision_pk" PRIMARY KEY("service","revision")
);
--> statement-breakpoint
CREATE TABLE "services" (
	"name" text PRIMARY KEY NOT NULL,
	"team" text NOT NULL,
	"image" text NOT NULL,
	"source_repo" text,
	"current_revision" integer NOT NULL,
	"spec_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stage_status" (
	"service" text NOT NULL,
	"stage" text NOT NULL,
	"current_release_id" text,
	"current_version" text,
	"current_since" timestamp with time zone,
	"last_promotion_id" text,
	"auto_hold" jsonb,
	CONSTRAINT "stage_status_service_stage_pk" PRIMARY KEY("service","stage")
);
--> statement-breakpoint
CREATE TABLE "promotion_decisions" (
	"promotion_id" uuid NOT NULL,
	"actor" text NOT NULL,
	"decision" text NOT NULL,
	"comment" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "promotion_decisions_promotion_id_actor_pk" PRIMARY KEY("promotion_id","actor")
);
--> statement-breakpoint
CREATE TABLE "promotion_transitions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"promotion_id" uuid NOT NULL,
	"from_phase" text,
	"to_phase" text NOT NULL,
	"actor" text NOT NULL,
	"reason" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "promotions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"service" text NOT NULL,
	"stage" text NOT NULL,
	"release_id" uuid NOT NULL,
	"release_version" text NOT NULL,
	"pipeline_revision" integer NOT NULL,
	"phase" text NOT NULL,
	"trigger" text NOT NULL,
	"requested_by" text NOT NULL,
	"reason" text,
	"freeze_override" jsonb,
	"message" text,
	"applied_revision" text,
	"apply_owner" text,
	"apply_lease_until" timestamp with time zone,
	"apply_attempts" integer DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "release_evidence" (
	"release_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"summary" jsonb NOT NULL,
	"source" text NOT NULL,
	"attached_by" text NOT NULL,
	"attached_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "release_evidence_release_id_kind_pk" PRIMARY KEY("release_id","kind")
);
--> statement-breakpoint
CREATE TABLE "releases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"service" text NOT NULL,
	"version" text NOT NULL,
	"image" text NOT NULL,
	"digest" text NOT NULL,
	"commit_sha" text NOT NULL,
	"commit_time" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pipeline_revisions" ADD CONSTRAINT "pipeline_revisions_service_services_name_fk" FOREIGN KEY ("service") REFERENCES "public"."services"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_status" ADD CONSTRAINT "stage_status_service_services_name_fk" FOREIGN KEY ("service") REFERENCES "public"."services"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promotion_decisions" ADD CONSTRAINT "promotion_decisions_promotion_id_promotions_id_fk" FOREIGN KEY ("promotion_id") REFERENCES "public"."promotions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promotion_transitions" ADD CONSTRAINT "promotion_transitions_promotion_id_promotions_id_fk" FOREIGN KEY ("promotion_id") REFERENCES "public"."promotions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promotions" ADD CONSTRAINT "promotions_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "release_evidence" ADD CONSTRAINT "release_evidence_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "releases" ADD CONSTRAINT "releases_service_services_name_fk" FOREIGN KEY ("service") REFERENCES "public"."services"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_actor_at_idx" ON "audit_log" USING btree ("actor","at");--> statement-breakpoint
CREATE INDEX "audit_log_target_at_idx" ON "audit_log" USING btree ("target","at");--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "stage_status_service_idx" ON "stage_status" USING btree ("service");--> statement-breakpoint
CREATE INDEX "promotion_transitions_promotion_idx" ON "promotion_transitions" USING btree ("promotion_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "promotions_one_active_per_stage_idx" ON "promotions" USING btree ("service","stage") WHERE "promotions"."phase" in ('Pending', 'WaitingForGates', 'WaitingForApproval', 'Applying', 'Verifying');--> statement-breakpoint
CREATE INDEX "promotions_service_stage_created_idx" ON "promotions" USING btree ("service","stage","created_at");--> statement-breakpoint
CREATE INDEX "promotions_release_idx" ON "promotions" USING btree ("release_id");--> statement-breakpoint
CREATE INDEX "promotions_applying_lease_idx" ON "promotions" USING btree ("apply_lease_until") WHERE "promotions"."phase" = 'Applying';--> statement-breakpoint
CREATE UNIQUE INDEX "releases_service_version_idx" ON "releases" USING btree ("service","version");--> statement-breakpoint
CREATE UNIQUE INDEX "releases_service_digest_idx" ON "releases" USING btree ("service","digest");--> statement-breakpoint
CREATE INDEX "releases_service_created_idx" ON "releases" USING btree ("service","created_at");