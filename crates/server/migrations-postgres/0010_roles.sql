-- Each person's role: 'agent', 'supervisor' or 'administrator'. Everyone stored before roles
-- existed is an agent.
ALTER TABLE agents ADD COLUMN role TEXT NOT NULL DEFAULT 'agent';
