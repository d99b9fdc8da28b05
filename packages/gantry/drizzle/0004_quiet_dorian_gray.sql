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
ALTER TABLE "previews" ADD CONSTRAINT "previews_service_services_name_fk" FOREIGN KEY ("service") REFERENCES "public"."services"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "previews_open_idx" ON "previews" USING btree ("status","last_activity_at") WHERE "previews"."status" <> 'closed';