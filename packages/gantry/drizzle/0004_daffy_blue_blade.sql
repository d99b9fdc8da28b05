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
ALTER TABLE "promotions" ADD COLUMN "production" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "promotions" ADD COLUMN "applying_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "service_commits_repository_sha_idx" ON "service_commits" USING btree ("repository","sha");--> statement-breakpoint
CREATE INDEX "dora_lead_times_deployed_idx" ON "dora_lead_times" USING btree ("deployed_at");--> statement-breakpoint
CREATE INDEX "dora_lead_times_service_deployed_idx" ON "dora_lead_times" USING btree ("service","deployed_at");--> statement-breakpoint
CREATE INDEX "promotions_dora_finished_idx" ON "promotions" USING btree ("finished_at") WHERE "promotions"."production" and "promotions"."applying_at" is not null;--> statement-breakpoint
CREATE INDEX "promotions_dora_service_finished_idx" ON "promotions" USING btree ("service","finished_at") WHERE "promotions"."production" and "promotions"."applying_at" is not null;