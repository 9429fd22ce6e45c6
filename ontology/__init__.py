"""The vocabulary (Turtle), SHACL shapes and reference data (SKOS gazetteer)."""

PG_NS = "https://w3id.org/policygraph/ns#"  # the vocabulary's namespace, written here only
REF_NS = "https://w3id.org/policygraph/ref/"  # reference data (ontology/reference/*.ttl)
# entity class (local name in PG_NS) → the entity type of records and of the API; a
# GenericActor (都道府県警察) is an Agency there, with ``generic`` set
ENTITY_CLASSES = {"Agency": "Agency", "GenericActor": "Agency", "System": "System", "Law": "Law",
                  "Plan": "Plan", "Program": "Program", "OtherEntity": "Other"}
