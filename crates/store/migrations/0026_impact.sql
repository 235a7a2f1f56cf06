-- Which case a request opened at its receiver, looked up when an indicator counts a case as incoming.
CREATE INDEX requests_receiver_case ON requests(receiver_case_id);
