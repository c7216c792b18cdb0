-- SePay makes an invoice asynchronously: an accepted create answers a tracking code, and the invoice is not found
-- under its reference_code until the job is done. The code is kept on the row so that later attempts, after a
-- restart or on another replica too, poll the job instead of creating the invoice a second time (review of issue
-- 22, item 6). Null until a provider accepts a create; an administrator's requeue clears it.
ALTER TABLE edocuments ADD COLUMN tracking_code TEXT;
