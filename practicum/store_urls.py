"""URLs of the practicum student pages: runs, applications and teams, and each team's store.
The names are a contract with the mentor pages (`practicum.mentor_urls`), which link to them."""

from django.urls import path

from . import dispute_views, review_views, store_views as views
from . import warehouse_views

urlpatterns = [
    path("runs/", views.runs, name="practicum_runs"),
    path("runs/<int:run_id>/", views.run_detail, name="practicum_run"),
    path("runs/<int:run_id>/apply/", views.run_apply, name="practicum_run_apply"),
    path("runs/<int:run_id>/teams/new/", views.run_team_create, name="practicum_team_create"),
    path("runs/<int:run_id>/teams/<int:team_id>/join/", views.run_team_join, name="practicum_team_join"),
    path("runs/<int:run_id>/teams/leave/", views.run_team_leave, name="practicum_team_leave"),
    path("stores/<int:store_id>/", views.store_dashboard, name="practicum_store"),
    path("stores/<int:store_id>/stock/", views.store_stock_buy, name="practicum_stock_buy"),
    path("stores/<int:store_id>/listings/new/", views.store_listing, name="practicum_listing_new"),
    path("stores/<int:store_id>/listings/<int:listing_id>/", views.store_listing, name="practicum_listing_edit"),
    path("stores/<int:store_id>/orders/", views.store_orders, name="practicum_orders"),
    path("stores/<int:store_id>/orders/<int:order_id>/", views.store_order, name="practicum_order"),
    path("stores/<int:store_id>/orders/<int:order_id>/refund/", views.store_order_refund, name="practicum_order_refund"),
    path("stores/<int:store_id>/statement/", views.store_statement, name="practicum_statement"),
    path("stores/<int:store_id>/disputes/", dispute_views.store_disputes, name="practicum_disputes"),
    path("stores/<int:store_id>/disputes/<int:dispute_id>/", dispute_views.store_dispute_page, name="practicum_dispute"),
    path("stores/<int:store_id>/kpis/", review_views.store_kpis, name="practicum_store_kpis"),
    path("stores/<int:store_id>/warehouses/", warehouse_views.store_warehouses, name="practicum_warehouses"),
]
