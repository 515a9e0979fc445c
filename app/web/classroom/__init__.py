"""The classroom (issue 22): a teacher's class shared by every worker and machine.

The teacher's pages and API (teacher_routes.py), the students' join page and short links
(student_routes.py), the shared store behind one interface (store.py: sqlite_store.py,
redis_store.py), and the per-worker hub that joins connections to their class, publishes
their summaries and applies the teacher's start and pause (hub.py, member.py). The rest of
the server calls it only at a few named hooks (docs/architecture.md, "The classroom").
"""
