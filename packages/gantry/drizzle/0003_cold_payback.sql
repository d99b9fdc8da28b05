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
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_promotion_id_promotions_id_fk" FOREIGN KEY ("promotion_id") REFERENCES "public"."promotions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_one_open_per_fingerprint_idx" ON "incidents" USING btree ("source","fingerprint") WHERE "incidents"."status" = 'open';--> statement-breakpoint
CREATE INDEX "incidents_service_opened_idx" ON "incidents" USING btree ("service","opened_at");--> statement-breakpoint
CREATE INDEX "incidents_promotion_idx" ON "incidents" USING btree ("promotion_id");