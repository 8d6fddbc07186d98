/**
 * Word lists for the fake data (ASCII only, so derived emails and slugs need no transliteration).
 */
export const FIRST =
  "Ava Liam Maya Noah Zoe Ethan Priya Mateo Chloe Omar Hana Lucas Sofia Kenji Amara Diego Elena Felix Grace Ivan Leila Marcus Nina Oscar".split(" ");
export const LAST =
  "Nguyen Garcia Smith Okafor Kowalski Tanaka Murphy Haddad Rossi Johansson Patel Moreau Silva Chen Novak Reyes Fischer Adeyemi Larsen Brooks".split(" ");
/** city, country, country code, region, currency — picked together so an address is coherent. */
export const PLACES = [
  ["Lisbon", "Portugal", "PT", "Lisboa", "EUR"],
  ["Austin", "United States", "US", "TX", "USD"],
  ["Toronto", "Canada", "CA", "ON", "CAD"],
  ["Osaka", "Japan", "JP", "Kansai", "JPY"],
  ["Manchester", "United Kingdom", "GB", "England", "GBP"],
  ["Melbourne", "Australia", "AU", "VIC", "AUD"],
  ["Lyon", "France", "FR", "Auvergne-Rhone-Alpes", "EUR"],
  ["Denver", "United States", "US", "CO", "USD"],
  ["Utrecht", "Netherlands", "NL", "Utrecht", "EUR"],
  ["Cape Town", "South Africa", "ZA", "Western Cape", "ZAR"],
] as const;
export const STREETS = ["Maple Avenue", "Harbor Street", "Oak Lane", "Cedar Road", "Elm Street", "Park Boulevard", "Mill Road", "Riverside Drive"];
export const COMPANIES =
  "Northwind Traders|Acme Analytics|Bluefin Labs|Cobalt Systems|Evergreen Foods|Lumen Health|Summit Logistics|Juniper Media|Redwood Robotics|Tidewater Energy".split(
    "|",
  );
export const DOMAINS = ["example.com", "example.org", "mail.example.net"];
export const PRODUCT_ADJ = [
  "Ergonomic",
  "Compact",
  "Premium",
  "Lightweight",
  "Wireless",
  "Classic",
  "Smart",
  "Durable",
  "Portable",
  "Modern",
  "Organic",
  "Rustic",
];
/** product noun and its category, so a record's name and category agree. */
export const PRODUCTS = [
  ["Desk Lamp", "Home & Kitchen"],
  ["Backpack", "Outdoors"],
  ["Headphones", "Electronics"],
  ["Water Bottle", "Sports"],
  ["Office Chair", "Office Supplies"],
  ["Notebook", "Office Supplies"],
  ["Keyboard", "Electronics"],
  ["Rain Jacket", "Apparel"],
  ["Coffee Grinder", "Home & Kitchen"],
  ["Yoga Mat", "Sports"],
  ["Running Shoes", "Apparel"],
  ["Speaker", "Electronics"],
] as const;
export const CATEGORIES = ["Electronics", "Home & Kitchen", "Outdoors", "Books", "Apparel", "Sports", "Beauty", "Toys", "Office Supplies", "Garden"];
export const STATUSES = ["active", "pending", "inactive", "archived"];
export const COLORS = ["red", "navy", "forest green", "charcoal", "ivory", "teal", "mustard", "burgundy"];
export const TAGS = ["new", "popular", "eco-friendly", "limited", "bestseller", "sale", "premium", "gift", "outdoor", "travel"];
export const HOBBIES = ["hiking", "photography", "cooking", "chess", "cycling", "reading", "gardening", "travel", "music", "yoga"];
export const JOBS = "Software Engineer|Product Manager|Data Analyst|Graphic Designer|Nurse|Teacher|Accountant|Marketing Lead|Sales Associate|Architect".split(
  "|",
);
export const LANGUAGES = ["English", "Spanish", "Japanese", "French", "Portuguese", "German", "Hindi"];
export const ADJ = ["quiet", "bright", "steady", "swift", "golden", "clever", "gentle", "bold", "careful", "simple"];
export const NOUN = ["harbor", "signal", "garden", "pipeline", "lantern", "meadow", "circuit", "summit", "canvas", "orbit"];
