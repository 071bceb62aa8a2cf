// The catalog in the admin console, under /catalog: products and their versions (the draft editor,
// publish, retire, diff), coupons and approval rules, each a tab.
import { NavLink, Route, Routes } from 'react-router';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { ProductsPage } from './ProductsPage.js';
import { CreateProductPage } from './CreateProductPage.js';
import { ProductPage } from './ProductPage.js';
import { VersionPage } from './VersionPage.js';
import { VersionDiffPage } from './VersionDiffPage.js';
import { CouponsPage } from './CouponsPage.js';
import { ApprovalRulesPage } from './ApprovalRulesPage.js';

export function CatalogTabs() {
  const tab = ({ isActive }: { isActive: boolean }) => (isActive ? 'tab active' : 'tab');
  return (
    <nav className="tabs" aria-label="Catalog">
      <NavLink to="/catalog/products" className={tab}>
        Products
      </NavLink>
      <NavLink to="/catalog/coupons" className={tab}>
        Coupons
      </NavLink>
      <NavLink to="/catalog/approval-rules" className={tab}>
        Approval rules
      </NavLink>
    </nav>
  );
}

export function CatalogRoutes() {
  return (
    <Routes>
      <Route index element={<ProductsPage />} />
      <Route path="products" element={<ProductsPage />} />
      <Route path="products/new" element={<CreateProductPage />} />
      <Route path="products/:id" element={<ProductPage />} />
      <Route path="products/:id/diff" element={<VersionDiffPage />} />
      <Route path="products/:id/versions/:version" element={<VersionPage />} />
      <Route path="coupons" element={<CouponsPage />} />
      <Route path="approval-rules" element={<ApprovalRulesPage />} />
      <Route path="*" element={<PageHeader title="Page not found" />} />
    </Routes>
  );
}
