CREATE TABLE "service_commits" (
	"service" text NOT NULL,
	"sha" text NOT NULL,
	"repository" text NOT NULL,
	"committed_at" timestamp with time zone NOT NULL,
	"author_name" text NOT NULL,
	"author_email" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_commits_service_sha_pk" PRIMARY KEY("service","sha")
);
--> statement-breakpoint
CREATE TABLE "source_commits" (
	"repository" text NOT NULL,
	"sha" text NOT NULL,
	"committed_at" timestamp with time zone NOT NULL,
	"author_name" text NOT NULL,
	"author_email" text NOT NULL,
	"title" text NOT NULL,
	"parent_sha" text,
	"paths" jsonb NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "source_commits_repository_sha_pk" PRIMARY KEY("repository","sha")
);
--> statement-breakpoint
CREATE TABLE "dora_lead_times" (
	"service" text NOT NULL,
	"sha" text NOT NULL,
	"promotion_id" uuid NOT NULL,
	"stage" text NOT NULL,
	"release_version" text NOT NULL,
	"committed_at" timestamp with time zone NOT NULL,
	"deployed_at" timestamp with time zone NOT NULL,
	"lead_seconds" double precision NOT NULL,
	CONSTRAINT "dora_lead_times_service_sha_pk" PRIMARY KEY("service","sha")
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" uuid PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"fingerprint" text NOT NULL,
	"title" text NOT NULL,
	"service" text,
	"stage" text,
	"status" text NOT NULL,
	"severity" text,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"promotion_id" uuid,
	"url" text,
	"opened_by" text NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	"rollback" jsonb,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_deliveries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"event_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"subject" text NOT NULL,
	"data" jsonb NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"lease_owner" text,
	"last_status" integer,
	"last_error" text,
	"replay_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"dead_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "previews" (
	"service" text NOT NULL,
	"number" integer NOT NULL,
	"stage" text NOT NULL,
	"status" text NOT NULL,
	"title" text NOT NULL,
	"author" text NOT NULL,
	"pull_request_url" text NOT NULL,
	"head_sha" text NOT NULL,
	"head_ref" text NOT NULL,
	"close_reason" text,
	"last_error" text,
	"opened_at" timestamp with time zone NOT NULL,
	"last_activity_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "previews_service_number_pk" PRIMARY KEY("service","number")
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"provider" text NOT NULL,
	"delivery_id" text NOT NULL,
	"event" text NOT NULL,
	"events" integer NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_deliveries_provider_delivery_id_pk" PRIMARY KEY("provider","delivery_id")
);
--> statement-breakpoint
ALTER TABLE "promotions" ADD COLUMN "production" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "promotions" ADD COLUMN "applying_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_promotion_id_promotions_id_fk" FOREIGN KEY ("promotion_id") REFERENCES "public"."promotions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "previews" ADD CONSTRAINT "previews_service_services_name_fk" FOREIGN KEY ("service") REFERENCES "public"."services"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "service_commits_repository_sha_idx" ON "service_commits" USING btree ("repository","sha");--> statement-breakpoint
CREATE INDEX "dora_lead_times_deployed_idx" ON "dora_lead_times" USING btree ("deployed_at");--> statement-breakpoint
CREATE INDEX "dora_lead_times_service_deployed_idx" ON "dora_lead_times" USING btree ("service","deployed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_one_open_per_fingerprint_idx" ON "incidents" USING btree ("source","fingerprint") WHERE "incidents"."status" = 'open';--> statement-breakpoint
CREATE INDEX "incidents_service_opened_idx" ON "incidents" USING btree ("service","opened_at");--> statement-breakpoint
CREATE INDEX "incidents_promotion_idx" ON "incidents" USING btree ("promotion_id");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_deliveries_event_channel_idx" ON "notification_deliveries" USING btree ("event_id","channel");--> statement-breakpoint
CREATE INDEX "notification_deliveries_due_idx" ON "notification_deliveries" USING btree ("next_attempt_at") WHERE "notification_deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "notification_deliveries_created_idx" ON "notification_deliveries" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "notification_deliveries_status_idx" ON "notification_deliveries" USING btree ("status","channel");--> statement-breakpoint
CREATE INDEX "previews_open_idx" ON "previews" USING btree ("status","last_activity_at") WHERE "previews"."status" <> 'closed';--> statement-breakpoint
CREATE INDEX "webhook_deliveries_received_idx" ON "webhook_deliveries" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "promotions_dora_finished_idx" ON "promotions" USING btree ("finished_at") WHERE "promotions"."production" and "promotions"."applying_at" is not null;--> statement-breakpoint
CREATE INDEX "promotions_dora_service_finished_idx" ON "promotions" USING btree ("service","finished_at") WHERE "promotions"."production" and "promotions"."applying_at" is not null;