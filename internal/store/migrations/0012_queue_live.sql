-- The live line (waiting, called, serving, held) is a few dozen tickets
-- among millions kept for the figures. A partial index holds only them, so
-- call-next, the board and a ticket's place read the live line, not the
-- year; queries name the same condition (liveTickets in internal/queue) so
-- both engines' planners see the index applies. It replaces the line index.
CREATE INDEX queue_tickets_live ON queue_tickets (agency_code, state, rank_at) WHERE state IN ('waiting', 'called', 'serving', 'held');
DROP INDEX queue_tickets_line;
