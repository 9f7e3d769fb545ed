CREATE TABLE "two_factor_replaced_backup_codes" (
	"user_id" uuid NOT NULL,
	"selector" text NOT NULL,
	"code_hash" text NOT NULL,
	"replaced_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "two_factor_replaced_backup_codes" ADD CONSTRAINT "two_factor_replaced_backup_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "two_factor_replaced_backup_codes_user_selector_key" ON "two_factor_replaced_backup_codes" USING btree ("user_id","selector");