-- Resellers: a customer tenant may name its partner (another tenant) in partnerTenantId. Partner
-- roles reach the partner's customers, found through this index.
create index tenants_partner on tenancy.tenants ((document ->> 'partnerTenantId')) where document ->> 'partnerTenantId' is not null;
