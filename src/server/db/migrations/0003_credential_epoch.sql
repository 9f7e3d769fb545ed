ALTER TABLE "users" ADD COLUMN "credential_epoch" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Rows that exist already were issued under epoch 0, which every user starts at; new rows must name theirs.
ALTER TABLE "sessions" ADD COLUMN "credential_epoch" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ALTER COLUMN "credential_epoch" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "two_factor_challenges" ADD COLUMN "credential_epoch" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "two_factor_challenges" ALTER COLUMN "credential_epoch" DROP DEFAULT;
