"""The GraphQL layer: Strawberry types, inputs, payloads, Query/Mutation and extensions."""
