CREATE TABLE "analysis_measurements" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"phase" text NOT NULL,
	"value" jsonb,
	"message" text,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analysis_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"promotion_id" uuid NOT NULL,
	"label" text NOT NULL,
	"metrics" jsonb NOT NULL,
	"args" jsonb NOT NULL,
	"phase" text NOT NULL,
	"message" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "local_stages" (
	"service" text NOT NULL,
	"stage" text NOT NULL,
	"stable" jsonb,
	"candidate" jsonb,
	"candidate_weight" integer DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "local_stages_service_stage_pk" PRIMARY KEY("service","stage")
);
--> statement-breakpoint
CREATE TABLE "rollouts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"service" text NOT NULL,
	"stage" text NOT NULL,
	"strategy" text NOT NULL,
	"plan" jsonb NOT NULL,
	"step_index" integer DEFAULT 0 NOT NULL,
	"weight" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'Progressing' NOT NULL,
	"pause_reason" text,
	"paused_until" timestamp with time zone,
	"message" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "analysis_measurements" ADD CONSTRAINT "analysis_measurements_run_id_analysis_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."analysis_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analysis_runs" ADD CONSTRAINT "analysis_runs_promotion_id_promotions_id_fk" FOREIGN KEY ("promotion_id") REFERENCES "public"."promotions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_id_promotions_id_fk" FOREIGN KEY ("id") REFERENCES "public"."promotions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analysis_measurements_run_idx" ON "analysis_measurements" USING btree ("run_id","id");--> statement-breakpoint
CREATE INDEX "analysis_runs_promotion_idx" ON "analysis_runs" USING btree ("promotion_id","started_at");