pub mod inventory_plan;
