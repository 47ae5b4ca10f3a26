// Host of the precompiled header shared by the integration tests.
