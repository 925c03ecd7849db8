-- Retention removes SNS messages by the time they were published.
CREATE INDEX sns_messages_created ON sns_messages (created_at);
