"""nlp: the spaCy pipeline that turns articles into entities, events and quotes."""
