"""Migration 0001's SQL for PostgreSQL, frozen (see ``0001_initial.py``)."""

POSTGRES = ['CREATE TABLE "site" ("id" SERIAL NOT NULL PRIMARY KEY, "code" VARCHAR(40) NOT NULL, "name" VARCHAR(120) '
 'NOT NULL, "name_en" VARCHAR(120) NOT NULL, "kind" VARCHAR(20) NOT NULL, "timezone" VARCHAR(64) NOT NULL, '
 '"address" VARCHAR(255) NOT NULL)',
 'CREATE UNIQUE INDEX "site_code" ON "site" ("code")',
 'CREATE TABLE "zone" ("id" SERIAL NOT NULL PRIMARY KEY, "site_id" INTEGER NOT NULL, "code" VARCHAR(40) NOT '
 'NULL, "name" VARCHAR(120) NOT NULL, "name_en" VARCHAR(120) NOT NULL, FOREIGN KEY ("site_id") REFERENCES '
 '"site" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "zone_site_id" ON "zone" ("site_id")',
 'CREATE UNIQUE INDEX "zone_site_id_code" ON "zone" ("site_id", "code")',
 'CREATE TABLE "user" ("id" SERIAL NOT NULL PRIMARY KEY, "username" VARCHAR(64) NOT NULL, "name" '
 'VARCHAR(120) NOT NULL, "role" VARCHAR(20) NOT NULL, "password_hash" VARCHAR(255) NOT NULL, "supervisor_id" '
 'INTEGER, "trade" VARCHAR(20), "phone" VARCHAR(32) NOT NULL, "active" BOOLEAN NOT NULL, "created_at" '
 'TIMESTAMP NOT NULL, FOREIGN KEY ("supervisor_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
 'CREATE UNIQUE INDEX "user_username" ON "user" ("username")',
 'CREATE INDEX "user_role" ON "user" ("role")',
 'CREATE INDEX "user_supervisor_id" ON "user" ("supervisor_id")',
 'CREATE TABLE "user_site" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "site_id" INTEGER '
 'NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE, FOREIGN KEY ("site_id") '
 'REFERENCES "site" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "user_site_user_id" ON "user_site" ("user_id")',
 'CREATE INDEX "user_site_site_id" ON "user_site" ("site_id")',
 'CREATE UNIQUE INDEX "user_site_user_id_site_id" ON "user_site" ("user_id", "site_id")',
 'CREATE TABLE "zone_responsible" ("id" SERIAL NOT NULL PRIMARY KEY, "zone_id" INTEGER NOT NULL, "trade" '
 'VARCHAR(20) NOT NULL, "user_id" INTEGER NOT NULL, FOREIGN KEY ("zone_id") REFERENCES "zone" ("id") ON '
 'DELETE CASCADE, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "zone_responsible_zone_id" ON "zone_responsible" ("zone_id")',
 'CREATE INDEX "zone_responsible_user_id" ON "zone_responsible" ("user_id")',
 'CREATE UNIQUE INDEX "zone_responsible_zone_id_trade" ON "zone_responsible" ("zone_id", "trade")',
 'CREATE TABLE "api_token" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "token_hash" '
 'VARCHAR(64) NOT NULL, "created_at" TIMESTAMP NOT NULL, "expires_at" TIMESTAMP NOT NULL, "revoked_at" '
 'TIMESTAMP, "last_used_at" TIMESTAMP, "user_agent" VARCHAR(255) NOT NULL, FOREIGN KEY ("user_id") '
 'REFERENCES "user" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "api_token_user_id" ON "api_token" ("user_id")',
 'CREATE UNIQUE INDEX "api_token_token_hash" ON "api_token" ("token_hash")',
 'CREATE TABLE "login_failure" ("id" SERIAL NOT NULL PRIMARY KEY, "key" VARCHAR(160) NOT NULL, "at" '
 'TIMESTAMP NOT NULL)',
 'CREATE INDEX "login_failure_key" ON "login_failure" ("key")',
 'CREATE INDEX "login_failure_at" ON "login_failure" ("at")',
 'CREATE TABLE "checkpoint" ("id" SERIAL NOT NULL PRIMARY KEY, "site_id" INTEGER NOT NULL, "zone_id" INTEGER '
 'NOT NULL, "code" VARCHAR(64) NOT NULL, "name" VARCHAR(120) NOT NULL, "name_en" VARCHAR(120) NOT NULL, '
 '"kind" VARCHAR(40) NOT NULL, "checklist_keys" TEXT NOT NULL, "lat" DOUBLE PRECISION, "lon" DOUBLE '
 'PRECISION, "active" BOOLEAN NOT NULL, "sort_order" INTEGER NOT NULL, "note" TEXT NOT NULL, FOREIGN KEY '
 '("site_id") REFERENCES "site" ("id") ON DELETE CASCADE, FOREIGN KEY ("zone_id") REFERENCES "zone" ("id") '
 'ON DELETE CASCADE)',
 'CREATE INDEX "checkpoint_site_id" ON "checkpoint" ("site_id")',
 'CREATE INDEX "checkpoint_zone_id" ON "checkpoint" ("zone_id")',
 'CREATE UNIQUE INDEX "checkpoint_code" ON "checkpoint" ("code")',
 'CREATE TABLE "checklist" ("id" SERIAL NOT NULL PRIMARY KEY, "key" VARCHAR(64) NOT NULL, "name" '
 'VARCHAR(120) NOT NULL, "name_en" VARCHAR(120) NOT NULL, "current_version" INTEGER NOT NULL, "updated_at" '
 'TIMESTAMP NOT NULL)',
 'CREATE UNIQUE INDEX "checklist_key" ON "checklist" ("key")',
 'CREATE TABLE "checklist_version" ("id" SERIAL NOT NULL PRIMARY KEY, "checklist_id" INTEGER NOT NULL, '
 '"version" INTEGER NOT NULL, "content_hash" VARCHAR(64) NOT NULL, "body" TEXT NOT NULL, "created_at" '
 'TIMESTAMP NOT NULL, FOREIGN KEY ("checklist_id") REFERENCES "checklist" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "checklist_version_checklist_id" ON "checklist_version" ("checklist_id")',
 'CREATE UNIQUE INDEX "checklist_version_checklist_id_version" ON "checklist_version" ("checklist_id", '
 '"version")',
 'CREATE TABLE "schedule" ("id" SERIAL NOT NULL PRIMARY KEY, "site_id" INTEGER NOT NULL, "key" VARCHAR(64) '
 'NOT NULL, "name" VARCHAR(120) NOT NULL, "name_en" VARCHAR(120) NOT NULL, "checklist_key" VARCHAR(64) NOT '
 'NULL, "role" VARCHAR(20) NOT NULL, "zone_id" INTEGER, "checkpoint_kinds" TEXT NOT NULL, "rule" TEXT NOT '
 'NULL, "window_minutes" INTEGER NOT NULL, "active" BOOLEAN NOT NULL, FOREIGN KEY ("site_id") REFERENCES '
 '"site" ("id") ON DELETE CASCADE, FOREIGN KEY ("zone_id") REFERENCES "zone" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "schedule_site_id" ON "schedule" ("site_id")',
 'CREATE INDEX "schedule_zone_id" ON "schedule" ("zone_id")',
 'CREATE UNIQUE INDEX "schedule_site_id_key" ON "schedule" ("site_id", "key")',
 'CREATE TABLE "task" ("id" SERIAL NOT NULL PRIMARY KEY, "schedule_id" INTEGER NOT NULL, "site_id" INTEGER '
 'NOT NULL, "checkpoint_id" INTEGER NOT NULL, "checklist_key" VARCHAR(64) NOT NULL, "role" VARCHAR(20) NOT '
 'NULL, "assignee_id" INTEGER, "date" DATE NOT NULL, "due_at" TIMESTAMP NOT NULL, "window_end" TIMESTAMP NOT '
 'NULL, "status" VARCHAR(10) NOT NULL, "inspection_id" VARCHAR(36), "done_at" TIMESTAMP, FOREIGN KEY '
 '("schedule_id") REFERENCES "schedule" ("id") ON DELETE CASCADE, FOREIGN KEY ("site_id") REFERENCES "site" '
 '("id") ON DELETE CASCADE, FOREIGN KEY ("checkpoint_id") REFERENCES "checkpoint" ("id") ON DELETE CASCADE, '
 'FOREIGN KEY ("assignee_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "task_schedule_id" ON "task" ("schedule_id")',
 'CREATE INDEX "task_site_id" ON "task" ("site_id")',
 'CREATE INDEX "task_checkpoint_id" ON "task" ("checkpoint_id")',
 'CREATE INDEX "task_assignee_id" ON "task" ("assignee_id")',
 'CREATE INDEX "task_date" ON "task" ("date")',
 'CREATE INDEX "task_inspection_id" ON "task" ("inspection_id")',
 'CREATE UNIQUE INDEX "task_schedule_id_checkpoint_id_due_at" ON "task" ("schedule_id", "checkpoint_id", '
 '"due_at")',
 'CREATE INDEX "task_checkpoint_id_due_at" ON "task" ("checkpoint_id", "due_at")',
 'CREATE TABLE "photo" ("id" VARCHAR(64) NOT NULL PRIMARY KEY, "uploaded_by_id" INTEGER, "content_type" '
 'VARCHAR(40) NOT NULL, "size_bytes" BIGINT NOT NULL, "width" INTEGER NOT NULL, "height" INTEGER NOT NULL, '
 '"taken_at" TIMESTAMP, "gps_lat" DOUBLE PRECISION, "gps_lon" DOUBLE PRECISION, "device" VARCHAR(120) NOT '
 'NULL, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("uploaded_by_id") REFERENCES "user" ("id") ON DELETE '
 'SET NULL)',
 'CREATE INDEX "photo_uploaded_by_id" ON "photo" ("uploaded_by_id")',
 'CREATE TABLE "photo_site" ("id" SERIAL NOT NULL PRIMARY KEY, "photo_id" VARCHAR(64) NOT NULL, "site_id" '
 'INTEGER NOT NULL, FOREIGN KEY ("photo_id") REFERENCES "photo" ("id") ON DELETE CASCADE, FOREIGN KEY '
 '("site_id") REFERENCES "site" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "photo_site_photo_id" ON "photo_site" ("photo_id")',
 'CREATE INDEX "photo_site_site_id" ON "photo_site" ("site_id")',
 'CREATE UNIQUE INDEX "photo_site_photo_id_site_id" ON "photo_site" ("photo_id", "site_id")',
 'CREATE TABLE "inspection" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "site_id" INTEGER NOT NULL, "zone_id" '
 'INTEGER NOT NULL, "checkpoint_id" INTEGER NOT NULL, "checklist_version_id" INTEGER NOT NULL, '
 '"checklist_key" VARCHAR(64) NOT NULL, "inspector_id" INTEGER NOT NULL, "task_id" INTEGER, "started_at" '
 'TIMESTAMP NOT NULL, "finished_at" TIMESTAMP NOT NULL, "received_at" TIMESTAMP NOT NULL, "clock_suspect" '
 'BOOLEAN NOT NULL, "lat" DOUBLE PRECISION, "lon" DOUBLE PRECISION, "accuracy_m" REAL, "body_hash" '
 'VARCHAR(64) NOT NULL, "failed_count" INTEGER NOT NULL, "item_count" INTEGER NOT NULL, FOREIGN KEY '
 '("site_id") REFERENCES "site" ("id") ON DELETE CASCADE, FOREIGN KEY ("zone_id") REFERENCES "zone" ("id") '
 'ON DELETE CASCADE, FOREIGN KEY ("checkpoint_id") REFERENCES "checkpoint" ("id") ON DELETE CASCADE, FOREIGN '
 'KEY ("checklist_version_id") REFERENCES "checklist_version" ("id") ON DELETE RESTRICT, FOREIGN KEY '
 '("inspector_id") REFERENCES "user" ("id") ON DELETE RESTRICT, FOREIGN KEY ("task_id") REFERENCES "task" '
 '("id") ON DELETE SET NULL)',
 'CREATE INDEX "inspection_site_id" ON "inspection" ("site_id")',
 'CREATE INDEX "inspection_zone_id" ON "inspection" ("zone_id")',
 'CREATE INDEX "inspection_checkpoint_id" ON "inspection" ("checkpoint_id")',
 'CREATE INDEX "inspection_checklist_version_id" ON "inspection" ("checklist_version_id")',
 'CREATE INDEX "inspection_inspector_id" ON "inspection" ("inspector_id")',
 'CREATE INDEX "inspection_task_id" ON "inspection" ("task_id")',
 'CREATE INDEX "inspection_received_at" ON "inspection" ("received_at")',
 'CREATE INDEX "inspection_site_id_received_at" ON "inspection" ("site_id", "received_at")',
 'CREATE INDEX "inspection_zone_id_received_at" ON "inspection" ("zone_id", "received_at")',
 'CREATE INDEX "inspection_checkpoint_id_received_at" ON "inspection" ("checkpoint_id", "received_at")',
 'CREATE INDEX "inspection_inspector_id_received_at" ON "inspection" ("inspector_id", "received_at")',
 'CREATE INDEX "inspection_checklist_key_received_at" ON "inspection" ("checklist_key", "received_at")',
 'CREATE TABLE "item_result" ("id" SERIAL NOT NULL PRIMARY KEY, "inspection_id" VARCHAR(36) NOT NULL, '
 '"item_key" VARCHAR(64) NOT NULL, "status" VARCHAR(4) NOT NULL, "note" TEXT NOT NULL, FOREIGN KEY '
 '("inspection_id") REFERENCES "inspection" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "item_result_inspection_id" ON "item_result" ("inspection_id")',
 'CREATE UNIQUE INDEX "item_result_inspection_id_item_key" ON "item_result" ("inspection_id", "item_key")',
 'CREATE TABLE "item_result_photo" ("id" SERIAL NOT NULL PRIMARY KEY, "result_id" INTEGER NOT NULL, '
 '"photo_id" VARCHAR(64) NOT NULL, FOREIGN KEY ("result_id") REFERENCES "item_result" ("id") ON DELETE '
 'CASCADE, FOREIGN KEY ("photo_id") REFERENCES "photo" ("id") ON DELETE RESTRICT)',
 'CREATE INDEX "item_result_photo_result_id" ON "item_result_photo" ("result_id")',
 'CREATE INDEX "item_result_photo_photo_id" ON "item_result_photo" ("photo_id")',
 'CREATE UNIQUE INDEX "item_result_photo_result_id_photo_id" ON "item_result_photo" ("result_id", '
 '"photo_id")',
 'CREATE TABLE "finding" ("id" SERIAL NOT NULL PRIMARY KEY, "site_id" INTEGER NOT NULL, "zone_id" INTEGER '
 'NOT NULL, "checkpoint_id" INTEGER, "inspection_id" VARCHAR(36), "item_result_id" INTEGER, "checklist_key" '
 'VARCHAR(64), "item_key" VARCHAR(64), "title" VARCHAR(255) NOT NULL, "title_en" VARCHAR(255) NOT NULL, '
 '"note" TEXT NOT NULL, "trade" VARCHAR(20) NOT NULL, "priority" VARCHAR(10) NOT NULL, "points" INTEGER NOT '
 'NULL, "status" VARCHAR(12) NOT NULL, "source" VARCHAR(12) NOT NULL, "reported_by_id" INTEGER NOT NULL, '
 '"created_at" TIMESTAMP NOT NULL, "client_id" VARCHAR(36), "extra" TEXT, FOREIGN KEY ("site_id") REFERENCES '
 '"site" ("id") ON DELETE CASCADE, FOREIGN KEY ("zone_id") REFERENCES "zone" ("id") ON DELETE CASCADE, '
 'FOREIGN KEY ("checkpoint_id") REFERENCES "checkpoint" ("id") ON DELETE SET NULL, FOREIGN KEY '
 '("inspection_id") REFERENCES "inspection" ("id") ON DELETE CASCADE, FOREIGN KEY ("item_result_id") '
 'REFERENCES "item_result" ("id") ON DELETE CASCADE, FOREIGN KEY ("reported_by_id") REFERENCES "user" ("id") '
 'ON DELETE RESTRICT)',
 'CREATE INDEX "finding_site_id" ON "finding" ("site_id")',
 'CREATE INDEX "finding_zone_id" ON "finding" ("zone_id")',
 'CREATE INDEX "finding_checkpoint_id" ON "finding" ("checkpoint_id")',
 'CREATE INDEX "finding_inspection_id" ON "finding" ("inspection_id")',
 'CREATE INDEX "finding_item_result_id" ON "finding" ("item_result_id")',
 'CREATE INDEX "finding_reported_by_id" ON "finding" ("reported_by_id")',
 'CREATE UNIQUE INDEX "finding_client_id" ON "finding" ("client_id")',
 'CREATE INDEX "finding_site_id_created_at" ON "finding" ("site_id", "created_at")',
 'CREATE INDEX "finding_site_id_status_id" ON "finding" ("site_id", "status", "id")',
 'CREATE INDEX "finding_site_id_id" ON "finding" ("site_id", "id")',
 'CREATE INDEX "finding_zone_id_id" ON "finding" ("zone_id", "id")',
 'CREATE INDEX "finding_reported_by_id_id" ON "finding" ("reported_by_id", "id")',
 'CREATE TABLE "finding_photo" ("id" SERIAL NOT NULL PRIMARY KEY, "finding_id" INTEGER NOT NULL, "photo_id" '
 'VARCHAR(64) NOT NULL, FOREIGN KEY ("finding_id") REFERENCES "finding" ("id") ON DELETE CASCADE, FOREIGN '
 'KEY ("photo_id") REFERENCES "photo" ("id") ON DELETE RESTRICT)',
 'CREATE INDEX "finding_photo_finding_id" ON "finding_photo" ("finding_id")',
 'CREATE INDEX "finding_photo_photo_id" ON "finding_photo" ("photo_id")',
 'CREATE UNIQUE INDEX "finding_photo_finding_id_photo_id" ON "finding_photo" ("finding_id", "photo_id")',
 'CREATE TABLE "work_order" ("id" SERIAL NOT NULL PRIMARY KEY, "site_id" INTEGER NOT NULL, "zone_id" '
 'INTEGER, "trade" VARCHAR(20) NOT NULL, "title" VARCHAR(255) NOT NULL, "description" TEXT NOT NULL, '
 '"priority" VARCHAR(10) NOT NULL, "status" VARCHAR(12) NOT NULL, "source" VARCHAR(12) NOT NULL, '
 '"request_id" INTEGER, "assignee_id" INTEGER, "created_by_id" INTEGER NOT NULL, "created_at" TIMESTAMP NOT '
 'NULL, "scheduled_for" DATE, "respond_by" TIMESTAMP, "resolve_by" TIMESTAMP, "assigned_at" TIMESTAMP, '
 '"accepted_at" TIMESTAMP, "started_at" TIMESTAMP, "done_at" TIMESTAMP, "revisit_due" TIMESTAMP, '
 '"verified_at" TIMESTAMP, "cancelled_at" TIMESTAMP, "reopen_count" INTEGER NOT NULL, "escalation_level" '
 'INTEGER NOT NULL, "escalated_at" TIMESTAMP, "client_id" VARCHAR(64), FOREIGN KEY ("site_id") REFERENCES '
 '"site" ("id") ON DELETE CASCADE, FOREIGN KEY ("zone_id") REFERENCES "zone" ("id") ON DELETE SET NULL, '
 'FOREIGN KEY ("assignee_id") REFERENCES "user" ("id") ON DELETE SET NULL, FOREIGN KEY ("created_by_id") '
 'REFERENCES "user" ("id") ON DELETE RESTRICT)',
 'CREATE INDEX "work_order_site_id" ON "work_order" ("site_id")',
 'CREATE INDEX "work_order_zone_id" ON "work_order" ("zone_id")',
 'CREATE INDEX "work_order_status" ON "work_order" ("status")',
 'CREATE INDEX "work_order_request_id" ON "work_order" ("request_id")',
 'CREATE INDEX "work_order_assignee_id" ON "work_order" ("assignee_id")',
 'CREATE INDEX "work_order_created_by_id" ON "work_order" ("created_by_id")',
 'CREATE UNIQUE INDEX "work_order_client_id" ON "work_order" ("client_id")',
 'CREATE INDEX "work_order_site_id_status_id" ON "work_order" ("site_id", "status", "id")',
 'CREATE TABLE "work_order_finding" ("id" SERIAL NOT NULL PRIMARY KEY, "work_order_id" INTEGER NOT NULL, '
 '"finding_id" INTEGER NOT NULL, FOREIGN KEY ("work_order_id") REFERENCES "work_order" ("id") ON DELETE '
 'CASCADE, FOREIGN KEY ("finding_id") REFERENCES "finding" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "work_order_finding_work_order_id" ON "work_order_finding" ("work_order_id")',
 'CREATE INDEX "work_order_finding_finding_id" ON "work_order_finding" ("finding_id")',
 'CREATE UNIQUE INDEX "work_order_finding_work_order_id_finding_id" ON "work_order_finding" '
 '("work_order_id", "finding_id")',
 'CREATE TABLE "work_order_event" ("id" SERIAL NOT NULL PRIMARY KEY, "work_order_id" INTEGER NOT NULL, '
 '"action" VARCHAR(20) NOT NULL, "from_status" VARCHAR(12), "to_status" VARCHAR(12) NOT NULL, "actor_id" '
 'INTEGER, "at" TIMESTAMP NOT NULL, "note" TEXT NOT NULL, "data" TEXT, FOREIGN KEY ("work_order_id") '
 'REFERENCES "work_order" ("id") ON DELETE CASCADE, FOREIGN KEY ("actor_id") REFERENCES "user" ("id") ON '
 'DELETE SET NULL)',
 'CREATE INDEX "work_order_event_work_order_id" ON "work_order_event" ("work_order_id")',
 'CREATE INDEX "work_order_event_actor_id" ON "work_order_event" ("actor_id")',
 'CREATE TABLE "work_order_photo" ("id" SERIAL NOT NULL PRIMARY KEY, "work_order_id" INTEGER NOT NULL, '
 '"photo_id" VARCHAR(64) NOT NULL, "kind" VARCHAR(10) NOT NULL, FOREIGN KEY ("work_order_id") REFERENCES '
 '"work_order" ("id") ON DELETE CASCADE, FOREIGN KEY ("photo_id") REFERENCES "photo" ("id") ON DELETE '
 'RESTRICT)',
 'CREATE INDEX "work_order_photo_work_order_id" ON "work_order_photo" ("work_order_id")',
 'CREATE INDEX "work_order_photo_photo_id" ON "work_order_photo" ("photo_id")',
 'CREATE UNIQUE INDEX "work_order_photo_work_order_id_photo_id_kind" ON "work_order_photo" ("work_order_id", '
 '"photo_id", "kind")',
 'CREATE TABLE "deduction" ("id" SERIAL NOT NULL PRIMARY KEY, "site_id" INTEGER NOT NULL, "staff_id" INTEGER '
 'NOT NULL, "supervisor_id" INTEGER, "supervisor_shares" BOOLEAN NOT NULL, "points" INTEGER NOT NULL, '
 '"yuan_per_point" NUMERIC(10, 2) NOT NULL, "reason" TEXT NOT NULL, "problem_key" VARCHAR(120) NOT NULL, '
 '"month" VARCHAR(7) NOT NULL, "occurred_at" TIMESTAMP NOT NULL, "status" VARCHAR(10) NOT NULL, "finding_id" '
 'INTEGER, "work_order_id" INTEGER, "request_id" INTEGER, "reverses_id" INTEGER, "created_by_id" INTEGER NOT '
 'NULL, "created_at" TIMESTAMP NOT NULL, "client_id" VARCHAR(64), FOREIGN KEY ("site_id") REFERENCES "site" '
 '("id") ON DELETE CASCADE, FOREIGN KEY ("staff_id") REFERENCES "user" ("id") ON DELETE RESTRICT, FOREIGN '
 'KEY ("supervisor_id") REFERENCES "user" ("id") ON DELETE SET NULL, FOREIGN KEY ("finding_id") REFERENCES '
 '"finding" ("id") ON DELETE SET NULL, FOREIGN KEY ("work_order_id") REFERENCES "work_order" ("id") ON '
 'DELETE SET NULL, FOREIGN KEY ("reverses_id") REFERENCES "deduction" ("id") ON DELETE SET NULL, FOREIGN KEY '
 '("created_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT)',
 'CREATE INDEX "deduction_site_id" ON "deduction" ("site_id")',
 'CREATE INDEX "deduction_staff_id" ON "deduction" ("staff_id")',
 'CREATE INDEX "deduction_supervisor_id" ON "deduction" ("supervisor_id")',
 'CREATE INDEX "deduction_problem_key" ON "deduction" ("problem_key")',
 'CREATE INDEX "deduction_month" ON "deduction" ("month")',
 'CREATE INDEX "deduction_finding_id" ON "deduction" ("finding_id")',
 'CREATE INDEX "deduction_work_order_id" ON "deduction" ("work_order_id")',
 'CREATE INDEX "deduction_reverses_id" ON "deduction" ("reverses_id")',
 'CREATE INDEX "deduction_created_by_id" ON "deduction" ("created_by_id")',
 'CREATE UNIQUE INDEX "deduction_client_id" ON "deduction" ("client_id")',
 'CREATE INDEX "deduction_site_id_month" ON "deduction" ("site_id", "month")',
 'CREATE INDEX "deduction_site_id_month_staff_id_problem_key_supervisor__fa9be70" ON "deduction" ("site_id", '
 '"month", "staff_id", "problem_key", "supervisor_id", "yuan_per_point", "supervisor_shares", "status", '
 '"reverses_id", "points")',
 'CREATE TABLE "deduction_photo" ("id" SERIAL NOT NULL PRIMARY KEY, "deduction_id" INTEGER NOT NULL, '
 '"photo_id" VARCHAR(64) NOT NULL, FOREIGN KEY ("deduction_id") REFERENCES "deduction" ("id") ON DELETE '
 'CASCADE, FOREIGN KEY ("photo_id") REFERENCES "photo" ("id") ON DELETE RESTRICT)',
 'CREATE INDEX "deduction_photo_deduction_id" ON "deduction_photo" ("deduction_id")',
 'CREATE INDEX "deduction_photo_photo_id" ON "deduction_photo" ("photo_id")',
 'CREATE UNIQUE INDEX "deduction_photo_deduction_id_photo_id" ON "deduction_photo" ("deduction_id", '
 '"photo_id")',
 'CREATE TABLE "appeal" ("id" SERIAL NOT NULL PRIMARY KEY, "deduction_id" INTEGER NOT NULL, "filed_by_id" '
 'INTEGER NOT NULL, "reason" TEXT NOT NULL, "filed_at" TIMESTAMP NOT NULL, "status" VARCHAR(10) NOT NULL, '
 '"decided_by_id" INTEGER, "decided_at" TIMESTAMP, "decision_reason" TEXT NOT NULL, FOREIGN KEY '
 '("deduction_id") REFERENCES "deduction" ("id") ON DELETE CASCADE, FOREIGN KEY ("filed_by_id") REFERENCES '
 '"user" ("id") ON DELETE RESTRICT, FOREIGN KEY ("decided_by_id") REFERENCES "user" ("id") ON DELETE SET '
 'NULL)',
 'CREATE UNIQUE INDEX "appeal_deduction_id" ON "appeal" ("deduction_id")',
 'CREATE INDEX "appeal_filed_by_id" ON "appeal" ("filed_by_id")',
 'CREATE INDEX "appeal_decided_by_id" ON "appeal" ("decided_by_id")',
 'CREATE TABLE "ledger_month" ("id" SERIAL NOT NULL PRIMARY KEY, "site_id" INTEGER NOT NULL, "month" '
 'VARCHAR(7) NOT NULL, "closed_at" TIMESTAMP NOT NULL, "closed_by_id" INTEGER NOT NULL, "snapshot" TEXT, '
 'FOREIGN KEY ("site_id") REFERENCES "site" ("id") ON DELETE CASCADE, FOREIGN KEY ("closed_by_id") '
 'REFERENCES "user" ("id") ON DELETE RESTRICT)',
 'CREATE INDEX "ledger_month_site_id" ON "ledger_month" ("site_id")',
 'CREATE INDEX "ledger_month_closed_by_id" ON "ledger_month" ("closed_by_id")',
 'CREATE UNIQUE INDEX "ledger_month_site_id_month" ON "ledger_month" ("site_id", "month")',
 'CREATE TABLE "ledger_correction" ("id" SERIAL NOT NULL PRIMARY KEY, "site_id" INTEGER NOT NULL, "month" '
 'VARCHAR(7) NOT NULL, "corrects_month" VARCHAR(7) NOT NULL, "staff_id" INTEGER NOT NULL, "amount" '
 'NUMERIC(12, 2) NOT NULL, "extra_fine" NUMERIC(12, 2) NOT NULL, "reason" TEXT NOT NULL, "deduction_id" '
 'INTEGER, "created_by_id" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("site_id") '
 'REFERENCES "site" ("id") ON DELETE CASCADE, FOREIGN KEY ("staff_id") REFERENCES "user" ("id") ON DELETE '
 'RESTRICT, FOREIGN KEY ("deduction_id") REFERENCES "deduction" ("id") ON DELETE SET NULL, FOREIGN KEY '
 '("created_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT)',
 'CREATE INDEX "ledger_correction_site_id" ON "ledger_correction" ("site_id")',
 'CREATE INDEX "ledger_correction_month" ON "ledger_correction" ("month")',
 'CREATE INDEX "ledger_correction_staff_id" ON "ledger_correction" ("staff_id")',
 'CREATE INDEX "ledger_correction_deduction_id" ON "ledger_correction" ("deduction_id")',
 'CREATE INDEX "ledger_correction_created_by_id" ON "ledger_correction" ("created_by_id")',
 'CREATE INDEX "ledger_correction_site_id_corrects_month" ON "ledger_correction" ("site_id", '
 '"corrects_month")',
 'CREATE TABLE "service_request" ("id" SERIAL NOT NULL PRIMARY KEY, "site_id" INTEGER NOT NULL, "zone_id" '
 'INTEGER, "kind" VARCHAR(12) NOT NULL, "channel" VARCHAR(12) NOT NULL, "category" VARCHAR(20) NOT NULL, '
 '"owner_name" VARCHAR(120) NOT NULL, "owner_phone" VARCHAR(32) NOT NULL, "phone_last4" VARCHAR(4) NOT NULL, '
 '"building" VARCHAR(40) NOT NULL, "unit" VARCHAR(40) NOT NULL, "room" VARCHAR(40) NOT NULL, "public_area" '
 'VARCHAR(120) NOT NULL, "description" TEXT NOT NULL, "owner_ask" TEXT NOT NULL, "priority" VARCHAR(10) NOT '
 'NULL, "urgent" BOOLEAN NOT NULL, "scope" VARCHAR(12) NOT NULL, "trade" VARCHAR(20), "status" VARCHAR(12) '
 'NOT NULL, "received_at" TIMESTAMP NOT NULL, "respond_by" TIMESTAMP, "responded_at" TIMESTAMP, "due_at" '
 'TIMESTAMP, "escalation_level" INTEGER NOT NULL, "escalated_at" TIMESTAMP, "handler_id" INTEGER, '
 '"created_by_id" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "done_at" TIMESTAMP, "revisit_due" '
 'TIMESTAMP, "revisited_at" TIMESTAMP, "satisfied" BOOLEAN, "cancelled_at" TIMESTAMP, "reopen_count" INTEGER '
 'NOT NULL, "client_id" VARCHAR(64), FOREIGN KEY ("site_id") REFERENCES "site" ("id") ON DELETE CASCADE, '
 'FOREIGN KEY ("zone_id") REFERENCES "zone" ("id") ON DELETE SET NULL, FOREIGN KEY ("handler_id") REFERENCES '
 '"user" ("id") ON DELETE SET NULL, FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON DELETE '
 'RESTRICT)',
 'CREATE INDEX "service_request_site_id" ON "service_request" ("site_id")',
 'CREATE INDEX "service_request_zone_id" ON "service_request" ("zone_id")',
 'CREATE INDEX "service_request_phone_last4" ON "service_request" ("phone_last4")',
 'CREATE INDEX "service_request_status" ON "service_request" ("status")',
 'CREATE INDEX "service_request_handler_id" ON "service_request" ("handler_id")',
 'CREATE INDEX "service_request_created_by_id" ON "service_request" ("created_by_id")',
 'CREATE UNIQUE INDEX "service_request_client_id" ON "service_request" ("client_id")',
 'CREATE INDEX "service_request_site_id_status_id" ON "service_request" ("site_id", "status", "id")',
 'CREATE INDEX "service_request_site_id_received_at" ON "service_request" ("site_id", "received_at")',
 'CREATE TABLE "request_event" ("id" SERIAL NOT NULL PRIMARY KEY, "request_id" INTEGER NOT NULL, "action" '
 'VARCHAR(20) NOT NULL, "actor_id" INTEGER, "at" TIMESTAMP NOT NULL, "note" TEXT NOT NULL, "data" TEXT, '
 'FOREIGN KEY ("request_id") REFERENCES "service_request" ("id") ON DELETE CASCADE, FOREIGN KEY ("actor_id") '
 'REFERENCES "user" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "request_event_request_id" ON "request_event" ("request_id")',
 'CREATE INDEX "request_event_actor_id" ON "request_event" ("actor_id")',
 'CREATE TABLE "request_photo" ("id" SERIAL NOT NULL PRIMARY KEY, "request_id" INTEGER NOT NULL, "photo_id" '
 'VARCHAR(64) NOT NULL, FOREIGN KEY ("request_id") REFERENCES "service_request" ("id") ON DELETE CASCADE, '
 'FOREIGN KEY ("photo_id") REFERENCES "photo" ("id") ON DELETE RESTRICT)',
 'CREATE INDEX "request_photo_request_id" ON "request_photo" ("request_id")',
 'CREATE INDEX "request_photo_photo_id" ON "request_photo" ("photo_id")',
 'CREATE UNIQUE INDEX "request_photo_request_id_photo_id" ON "request_photo" ("request_id", "photo_id")',
 'CREATE TABLE "audit_log" ("id" SERIAL NOT NULL PRIMARY KEY, "at" TIMESTAMP NOT NULL, "user_id" INTEGER, '
 '"role" VARCHAR(20) NOT NULL, "action" VARCHAR(60) NOT NULL, "object_type" VARCHAR(40) NOT NULL, '
 '"object_id" VARCHAR(64) NOT NULL, "site_id" INTEGER, "before" TEXT, "after" TEXT, "request_id" VARCHAR(64) '
 'NOT NULL, "ip" VARCHAR(64) NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "audit_log_at" ON "audit_log" ("at")',
 'CREATE INDEX "audit_log_user_id" ON "audit_log" ("user_id")',
 'CREATE INDEX "audit_log_site_id" ON "audit_log" ("site_id")',
 'CREATE TABLE "idempotency_record" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "key" '
 'VARCHAR(128) NOT NULL, "method" VARCHAR(8) NOT NULL, "path" VARCHAR(255) NOT NULL, "body_hash" VARCHAR(64) '
 'NOT NULL, "status_code" INTEGER NOT NULL, "response" TEXT NOT NULL, "created_at" TIMESTAMP NOT NULL, '
 'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "idempotency_record_user_id" ON "idempotency_record" ("user_id")',
 'CREATE UNIQUE INDEX "idempotency_record_user_id_key" ON "idempotency_record" ("user_id", "key")']
