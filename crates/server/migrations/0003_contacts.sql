-- Contacts: customers the contact center knows. Each key identifies at most one contact.
CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT UNIQUE,               -- lower case
    mobile_phone TEXT UNIQUE,        -- E.164
    notes TEXT,
    external_id TEXT UNIQUE,
    facebook_id TEXT UNIQUE
);

-- The contact a conversation was matched to, for their Customer summary's recent conversations.
ALTER TABLE conversations ADD COLUMN contact_id TEXT;
CREATE INDEX conversations_by_contact ON conversations(contact_id, open) WHERE contact_id IS NOT NULL;
