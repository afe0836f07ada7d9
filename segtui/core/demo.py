"""A realistic, reproducible demo data set and segments that show every rule."""

from __future__ import annotations

import random

from peewee import chunked

from . import conversions, membership, segments
from .context import Context
from .db import write_transaction
from .models import Company, Contact
from .schedule import AFTER_INACTIVITY, ON_DAY, Schedule

REGIONS = {
    "France": ["Bretagne", "Normandie", "Île-de-France", "Occitanie", "Auvergne-Rhône-Alpes",
               "Nouvelle-Aquitaine", "Pays de la Loire", "Grand Est", "Hauts-de-France",
               "Provence-Alpes-Côte d'Azur"],
    "Belgium": ["Wallonie", "Bruxelles", "Flandre"],
    "Switzerland": ["Genève", "Vaud"],
    "Canada": ["Québec"],
}
CITIES = {
    "Bretagne": ["Rennes", "Brest", "Quimper", "Vannes", "Saint-Malo"],
    "Normandie": ["Rouen", "Caen", "Le Havre", "Cherbourg"],
    "Île-de-France": ["Paris", "Versailles", "Saint-Denis", "Créteil"],
    "Occitanie": ["Toulouse", "Montpellier", "Nîmes", "Perpignan"],
    "Auvergne-Rhône-Alpes": ["Lyon", "Grenoble", "Clermont-Ferrand", "Annecy"],
    "Nouvelle-Aquitaine": ["Bordeaux", "Limoges", "Poitiers", "La Rochelle"],
    "Pays de la Loire": ["Nantes", "Angers", "Le Mans"],
    "Grand Est": ["Strasbourg", "Reims", "Metz", "Nancy"],
    "Hauts-de-France": ["Lille", "Amiens", "Roubaix"],
    "Provence-Alpes-Côte d'Azur": ["Marseille", "Nice", "Toulon", "Avignon"],
    "Wallonie": ["Namur", "Liège", "Charleroi"],
    "Bruxelles": ["Bruxelles"],
    "Flandre": ["Gand", "Anvers"],
    "Genève": ["Genève"],
    "Vaud": ["Lausanne"],
    "Québec": ["Montréal", "Québec"],
}
FIRST = ["Camille", "Louis", "Léa", "Gabriel", "Manon", "Jules", "Chloé", "Hugo", "Inès", "Arthur",
         "Jade", "Nathan", "Louise", "Raphaël", "Emma", "Maël", "Alice", "Paul", "Lina", "Yanis",
         "Anne", "Erwan", "Gwenaëlle", "Loïc", "Morgane", "Yann", "Sophie", "Thomas", "Claire", "Éric"]
LAST = ["Martin", "Bernard", "Le Gall", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
        "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Le Roux", "Kerbrat",
        "Morvan", "Fontaine", "Rousseau", "Vincent", "Muller", "Lemoine", "Guerin", "Faure"]
INDUSTRIES = ["Software", "Retail", "Agriculture", "Tourism", "Manufacturing", "Healthcare",
              "Education", "Non-profit", "Finance", "Logistics"]
STAGES = [("subscriber", 30), ("lead", 25), ("marketing_qualified_lead", 12),
          ("sales_qualified_lead", 8), ("opportunity", 6), ("customer", 14), ("evangelist", 3), ("other", 2)]
STATUSES = ["new", "open", "in_progress", "unqualified", "connected", "bad_timing"]
WORDS = ["Armor", "Breizh", "Atlantique", "Horizon", "Nova", "Océan", "Granit", "Lumière", "Vallée", "Phare",
         "Étoile", "Marée", "Forge", "Tempo", "Alto"]


def _region(rng: random.Random) -> tuple[str, str]:
    country = rng.choices(list(REGIONS), weights=[80, 10, 5, 5])[0]
    regions = REGIONS[country]
    # Bretagne and Normandie weigh more: the article's example is about a target region
    weights = [4 if r in ("Bretagne", "Normandie") else 1 for r in regions]
    return country, rng.choices(regions, weights=weights)[0]


def generate_records(ctx: Context, *, contacts: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    now, today = ctx.now(), ctx.today()
    n_companies = max(contacts // 10, 5)
    company_rows, domains = [], []
    for i in range(n_companies):
        country, region = _region(rng)
        name = f"{rng.choice(WORDS)} {rng.choice(INDUSTRIES)} {i + 1}"
        domain = f"{name.lower().replace(' ', '-').replace('é', 'e').replace('è', 'e')}.example"
        domains.append(domain)
        company_rows.append({
            "domain": domain, "name": name, "industry": rng.choice(INDUSTRIES),
            "city": rng.choice(CITIES[region]), "region": region, "country": country,
            "employees": float(int(rng.lognormvariate(3.5, 1.4)) + 1),
            "annual_revenue": float(round(rng.lognormvariate(13.5, 1.5), -3)),
            "created_date": today.subtract(days=rng.randint(30, 3000)), "updated_at": now,
        })
    contact_rows = []
    for i in range(contacts):
        country, region = _region(rng)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        slug = f"{first}.{last}".lower().replace(" ", "").replace("é", "e").replace("ë", "e").replace("ï", "i")
        contact_rows.append({
            "email": f"{slug}.{i + 1}@example.org", "first_name": first, "last_name": last,
            "phone": f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            "city": rng.choice(CITIES[region]), "region": region, "country": country,
            "lifecycle_stage": rng.choices([s for s, _ in STAGES], weights=[w for _, w in STAGES])[0],
            "lead_status": rng.choice(STATUSES + [None]),
            "events_attended": float(rng.choices(range(7), weights=[40, 22, 14, 10, 7, 4, 3])[0]),
            "subscribed": rng.random() < 0.7,
            "last_activity_date": today.subtract(days=int(rng.expovariate(1 / 60))) if rng.random() < 0.9 else None,
            "created_date": today.subtract(days=rng.randint(1, 1500)),
            "company_domain": rng.choice(domains) if rng.random() < 0.6 else None, "updated_at": now,
        })
    with write_transaction():
        for batch in chunked(company_rows, 500):
            Company.insert_many(batch).execute()
        for batch in chunked(contact_rows, 500):
            Contact.insert_many(batch).execute()
    return contacts, n_companies


def _f(prop, op, **rest):
    return {"property": prop, "operator": op, **rest}


def create_segments(ctx: Context, *, seed: int) -> list[str]:
    today = ctx.today()
    rng = random.Random(seed + 1)
    made = []

    def make(name, obj, type_, groups):
        segment, _ = segments.create(ctx, name, obj, type_, {"groups": [{"filters": g} for g in groups]})
        made.append(name)
        return segment

    bretagne = make("Events 2025, Bretagne", "contacts", "active",
                    [[_f("events_attended", "gte", value=1), _f("region", "is_any_of", values=["Bretagne"])]])
    conversions.set_schedule(ctx, bretagne.id, Schedule(ON_DAY, day=today.add(days=32)))

    engaged = make("Spring campaign, engaged", "contacts", "active",
                   [[_f("last_activity_date", "less_than_days_ago", value=30), _f("subscribed", "is_true")]])
    conversions.set_schedule(ctx, engaged.id, Schedule(AFTER_INACTIVITY, amount=30, unit="days"))

    webinar = make("Webinar October 2026", "contacts", "active",
                   [[_f("events_attended", "gte", value=4)]])
    conversions.set_schedule(ctx, webinar.id, Schedule(ON_DAY, day=today))

    make("Fundraising event contacts", "contacts", "static", [[_f("events_attended", "gte", value=2)]])

    vips, _ = segments.create(ctx, "Hand-picked VIPs", "contacts", "static")
    made.append(vips.name)
    ids = [c.id for c in Contact.select(Contact.id).where(Contact.lifecycle_stage == "customer").order_by(Contact.id)]
    if ids:
        membership.add_records(ctx, vips.id, rng.sample(ids, min(25, len(ids))))

    make("Customers not in VIPs", "contacts", "active",
         [[_f("lifecycle_stage", "is_any_of", values=["customer", "evangelist"]),
           {"segment": vips.id, "operator": "not_in_segment"}]])
    make("Newsletter, Normandie or Bretagne", "contacts", "active",
         [[_f("subscribed", "is_true"), _f("region", "is_any_of", values=["Normandie"])],
          [_f("subscribed", "is_true"), _f("region", "is_any_of", values=["Bretagne"])]])
    make("Large companies", "companies", "active", [[_f("employees", "gte", value=250)]])
    make("Software companies", "companies", "static", [[_f("industry", "is_any_of", values=["Software"])]])
    return made


CUSTOM_PROPERTIES = (
    # label, type, options: one of each type
    ("Favorite color", "enumeration", "Red,Blue,Green,Yellow"),
    ("Yearly gift", "number", None),
    ("Member level", "enumeration", "Bronze,Silver,Gold,Platinum"),
    ("Interests", "multiple_checkboxes", "Events,Newsletters,Podcasts,Webinars,Workshops"),
    ("Newsletter opt-in", "boolean", None),
    ("Membership renewal", "date", None),
    ("Last donation", "datetime", None),
    ("Referred by", "text", None),
)


def add_custom_data(ctx: Context, *, seed: int) -> list[str]:
    """Custom properties (one of each type) with values, multi-company contacts, association segments.

    A random stream of its own: the records and segments above stay what they were.
    """
    from . import associations, property_admin
    from .properties import get as get_property

    rng = random.Random(seed + 2)
    for label, type_, options in CUSTOM_PROPERTIES:
        property_admin.create(ctx, "contacts", label, type_, options=options)
    property_admin.create(ctx, "companies", "Partner tier", "enumeration", options="Gold,Silver")
    today, now = ctx.today(), ctx.now()
    props = {name: get_property("contacts", name) for name in
             ("favorite_color", "member_level", "interests")}
    companies = dict(Company.select(Company.domain, Company.id).tuples())
    company_ids = sorted(companies.values())
    pairs = []
    with write_transaction():
        for contact_id, domain in Contact.select(Contact.id, Contact.company_domain).order_by(Contact.id).tuples():
            interests = [o.value for o in props["interests"].choices if rng.random() < 0.3]
            values = {
                "p_favorite_color": rng.choice(props["favorite_color"].options) if rng.random() < 0.8 else None,
                "p_yearly_gift": float(rng.choice([15, 50, 120.5, 500, 1500])) if rng.random() < 0.5 else None,
                "p_member_level": rng.choice(props["member_level"].options) if rng.random() < 0.7 else None,
                "p_interests": (";" + ";".join(interests) + ";") if interests else None,
                "p_newsletter_opt_in": rng.random() < 0.6,
                "p_membership_renewal": today.add(days=rng.randint(-90, 300)) if rng.random() < 0.5 else None,
                "p_last_donation": now.subtract(days=rng.randint(0, 400), minutes=rng.randint(0, 1440))
                if rng.random() < 0.4 else None,
                "p_referred_by": rng.choice(["Yann", "Inès", "Website", "Event"]) if rng.random() < 0.3 else None,
            }
            Contact.update(values).where(Contact.id == contact_id).execute()
            if domain in companies:
                pairs.append((contact_id, companies[domain]))
                if rng.random() < 0.25:  # some work with a second company
                    pairs.append((contact_id, rng.choice(company_ids)))
        associations.link_many(pairs)
        gold = [cid for cid in company_ids if rng.random() < 0.2]
        Company.update(p_partner_tier="gold").where(Company.id.in_(gold)).execute()
    made = []
    for name, obj, group in (
        ("Contacts at software companies", "contacts",
         [{"association": "companies", "filters": [_f("industry", "is_any_of", values=["Software"])]}]),
        ("Companies with 3+ customers", "companies",
         [{"association": "contacts", "filters": [_f("lifecycle_stage", "is_any_of", values=["customer"])],
           "at_least": 3}]),
        ("Gold members into events", "contacts",
         [_f("member_level", "is_any_of", values=["Gold", "Platinum"]),
          _f("interests", "contains_any", values=["Events"])]),
        ("Contacts without a company", "contacts", [{"association": "companies", "filters": [], "negate": True}]),
    ):
        segments.create(ctx, name, obj, "active", {"groups": [{"filters": group}]})
        made.append(name)
    return made


def has_data() -> bool:
    return Contact.select().exists() or Company.select().exists()


def build(ctx: Context, *, contacts: int = 2000, seed: int = 7,
          custom_data: bool = True) -> tuple[int, int, list[str]]:
    """``custom_data``: custom properties, associations and the segments that use them (issue 12)."""
    n_contacts, n_companies = generate_records(ctx, contacts=contacts, seed=seed)
    names = create_segments(ctx, seed=seed)
    if custom_data:
        names += add_custom_data(ctx, seed=seed)
    return n_contacts, n_companies, names
